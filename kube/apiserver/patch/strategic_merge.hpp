#pragma once
// Strategic merge patch (application/strategic-merge-patch+json), as
// k8s.io/apimachinery/pkg/util/strategicpatch applies it on the server
// (StrategicMergeMapPatch): a merge patch whose lists merge element by element where the
// kind's schema gives them a merge key (containers by name, env by name, conditions by
// type, ...; see strategic_schema.hpp), plus directives:
//
//   {"$patch": "replace", ...}     in a map: the map becomes the patch (minus the marker)
//   {"$patch": "delete"}           in a map: the map becomes {}
//   [{"name": "x", "$patch": "delete"}]   in a merging list: removes the element(s) "x"
//   [{"$patch": "replace"}, ...]   in a merging list: the list becomes the other elements
//   "$deleteFromPrimitiveList/finalizers": ["a"]   removes "a" from a merging scalar list
//   "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]   orders the merged list
//   "$retainKeys": ["a", "b"]      drops every other member of the map (the patch must not
//                                  set members outside the list)
//
// Merged lists are ordered as Kubernetes orders them: elements named by the patch (or by
// $setElementOrder) in the patch's order, interleaved with the others in their original
// order — so an element added by a patch comes first, not last.
//
// Differences from Go, all on malformed or unusual patches: where the original has no
// value, the patch value is added with its nulls and directives processed (Go copies it
// verbatim, so `{"labels": {"a": null}}` on an object without labels creates label a="");
// `$deleteFromPrimitiveList/x` for an absent list does nothing (Go sets x to the deletion
// list); malformed directives are 400 where Go sometimes answers 500.

#include <nlohmann/json.hpp>

#include "kube/apiserver/patch/patch_error.hpp"
#include "kube/apiserver/patch/strategic_schema.hpp"

namespace podvisor::kube::apiserver {

/// Applies the parsed strategic merge patch `patch` to `original` with the kind's list
/// rules. `null` changes nothing; a patch that is not an object is 400; malformed
/// directives are 400, lists of lists 422.
patch_result<nlohmann::json> apply_strategic_merge_patch(const nlohmann::json& original,
                                                         const nlohmann::json& patch,
                                                         const strategic_schema& schema);

} // namespace podvisor::kube::apiserver
