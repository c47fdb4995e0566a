#pragma once
// Server-side apply (application/apply-patch+yaml), reduced to create-or-merge: the body
// is a whole object ("apply configuration"); when the object does not exist it is
// created from it, otherwise the configuration is merged into the stored object the way
// a strategic merge patch would be (maps merge, `null` removes, lists with merge keys
// merge by key — containers by name, conditions by type, finalizers as a set — and other
// lists are replaced).
//
// Limitation: there are no managedFields. Fields that an earlier apply set and this one
// leaves out are not removed, nothing records who owns what, and there are no conflicts
// (`force` changes nothing). kubectl's `apply --server-side` still works for the usual
// create-then-update flow.
//
// Checks kube-apiserver makes and this keeps: the configuration's apiVersion must be the
// endpoint's (400 "Incorrect version specified in apply patch. Specified patch version:
// X, expected: Y"), and metadata.managedFields must be absent (400).

#include <nlohmann/json.hpp>

#include "kube/apiserver/patch/patch_error.hpp"
#include "kube/apiserver/patch/patch_type.hpp"

namespace podvisor::kube::apiserver {

/// Applies the configuration `config` (already decoded from JSON or YAML). `original` is
/// the stored object, or null when there is none (then the result is created from the
/// configuration; a missing kind is filled in).
patch_result<nlohmann::json> apply_configuration(const nlohmann::json& original, const nlohmann::json& config,
                                                 const patch_kind& kind);

} // namespace podvisor::kube::apiserver
