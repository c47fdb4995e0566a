#pragma once
// What no patch may change: an object's apiVersion, kind, name, namespace and uid. The
// API server answers as kube-apiserver does when a patched object's identity differs
// from the stored one, and silently restores what a patch merely removed.

#include <optional>

#include <nlohmann/json.hpp>

#include "kube/apiserver/patch/patch_error.hpp"
#include "kube/apiserver/patch/patch_type.hpp"

namespace podvisor::kube::apiserver {

/// Checks `patched` against `original` (the stored object) and fixes up what Kubernetes
/// fixes up. Returns the error the API server must answer with, or nothing.
///
///   apiVersion changed   400 `the API version in the data (X) does not match the expected
///                        API version (Y)`
///   kind changed         422 `X.group "name" is invalid: kind: Invalid value: "X": must be Y`
///   name changed         400 `the name of the object (X) does not match the name on the URL (Y)`
///   namespace changed    400 `the namespace of the provided object does not match the
///                        namespace sent on the request`
///   uid changed          422 `Kind.group "name" is invalid: metadata.uid: Invalid value: "X":
///                        field is immutable`
///
/// Removed apiVersion, kind, namespace or uid are put back (as the API server defaults
/// them); a namespace on a cluster-scoped object (the original has none) is dropped.
std::optional<patch_error> enforce_identity(const nlohmann::json& original, nlohmann::json& patched,
                                            const patch_kind& kind);

} // namespace podvisor::kube::apiserver
