#pragma once
// JSON Merge Patch (RFC 7386, application/merge-patch+json): objects merge member by
// member, `null` removes a member, everything else (arrays included) replaces. This is
// what `kubectl patch --type=merge`, `kubectl label`, `kubectl annotate`, `kubectl apply`
// on custom kinds and the python client's dict patches send.
//
// As kube-apiserver: the patch must be a JSON object (the server decodes it into a
// map first, so `[...]` or `"x"` is 400 "error decoding patch: ..."), and `null` is 400
// "Invalid JSON Patch" (evanphx/json-patch's ErrBadJSONPatch).

#include <nlohmann/json.hpp>

#include "kube/apiserver/patch/patch_error.hpp"

namespace podvisor::kube::apiserver {

/// Applies the parsed merge patch `patch` to `original` (RFC 7386 MergePatch).
patch_result<nlohmann::json> apply_merge_patch(const nlohmann::json& original, const nlohmann::json& patch);

} // namespace podvisor::kube::apiserver
