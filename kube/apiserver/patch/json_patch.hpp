#pragma once
// JSON Patch (RFC 6902, application/json-patch+json) as kube-apiserver applies it, which
// is gopkg.in/evanphx/json-patch.v4. Where that library and the RFC disagree, the
// behaviour clients see on a real cluster wins, and messages are evanphx's own:
//
//   - "-" appends for add (RFC); negative indices count from the end (-1 = last) for add
//     and remove (evanphx extension); "01" and "+1" are index 1 (Go's Atoi).
//   - replace of a missing object member adds it (RFC: error); of a missing array
//     element fails.
//   - test of a missing member against null succeeds; values compare as JSON values
//     (1 equals 1.0, "10" does not equal 10).
//   - add without "value" adds null; a patch that is `null` does nothing.
//   - the whole document ("" path) cannot be targeted; paths must start with '/'.
//   - copy of a missing member fails (evanphx copies null).
//
// Limits: at most 10,000 operations (413, as the API server), copies may add at most
// 3 MiB in total (the server's JSONPatchMaxCopyBytes), and no operation may nest the
// document deeper than `api::default_max_json_depth` levels, so that patching a parsed
// object can never build one that later recursive code cannot walk.
// Failures of an operation are 422 Invalid (kube-apiserver replaces the detail with "the
// server rejected our request due to an error in our request"; Podvisor keeps it).

#include <cstddef>

#include <nlohmann/json.hpp>

#include "kube/apiserver/patch/patch_error.hpp"

namespace podvisor::kube::apiserver {

/// The API server's cap on operations in one JSON patch.
inline constexpr std::size_t max_json_patch_operations = 10'000;
/// The API server's cap on bytes added by copy operations in one patch.
inline constexpr std::size_t max_json_patch_copy_bytes = 3 * 1024 * 1024;

/// Applies the parsed patch document `patch` to `original`. A patch that is not an array
/// of objects is 400; too many operations 413; an operation that does not apply 422.
patch_result<nlohmann::json> apply_json_patch(const nlohmann::json& original, const nlohmann::json& patch);

} // namespace podvisor::kube::apiserver
