#pragma once
// PATCH for the embedded API server: one entry point that takes the stored object, the
// request body and its patch type, and returns the patched object or the Status error
// (code, reason, message) to answer with. Pure: no HTTP, no storage, no CAF.
//
//   auto type = parse_patch_type(request.content_type, kind);      // 415 on failure
//   if (!type) return status(type.error());
//   auto patched = apply_patch(*type, stored_or_null, request.body, kind);
//   if (!patched) return status(patched.error());                   // 400 / 404 / 413 / 415 / 422
//   store(patched->object); answer(patched->created ? 201 : 200);
//
// The pieces: json_patch.hpp (RFC 6902), merge_patch.hpp (RFC 7386), strategic_merge.hpp
// (Kubernetes strategic merge, built-in kinds only), apply.hpp (server-side apply as
// create-or-merge), identity.hpp (what a patch may not change).
//
// Bodies are parsed with api::parse_json (depth-limited; apply bodies may also be YAML,
// read with api::load_manifests), and a result nested deeper than
// api::default_max_json_depth is refused, so hostile bodies get an error, not a crash.

#include <string_view>

#include <nlohmann/json.hpp>

#include "kube/apiserver/patch/patch_error.hpp"
#include "kube/apiserver/patch/patch_type.hpp"

namespace podvisor::kube::apiserver {

/// A successful patch.
struct patched_object {
  nlohmann::json object;
  /// True when server-side apply created the object (answer 201 instead of 200).
  bool created = false;
};

/// Applies `body` (a patch of `type`) to `original`, the stored object, or null when the
/// object does not exist. Only server-side apply can create; other types answer 404
/// ("the server could not find the requested resource") for a null original — the server
/// normally answers its own NotFound before calling.
///
/// The result keeps the original's identity (see enforce_identity: a changed apiVersion,
/// kind, name, namespace or uid is an error; removed ones are restored). The caller still
/// owns everything else an update does: resourceVersion preconditions, status/spec
/// separation, generation, admission and validation.
patch_result<patched_object> apply_patch(patch_type type, const nlohmann::json& original, std::string_view body,
                                         const patch_kind& kind);

} // namespace podvisor::kube::apiserver
