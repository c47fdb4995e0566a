#pragma once
// Admission before storage: per-kind decoding (type errors), unknown-field handling as
// fieldValidation asks (Strict → 400, Warn → Warning header, Ignore), KubeVirt defaulting
// and validation for kubevirt.io kinds, metadata validation for every kind, and CRD
// checks. An object that fails is never stored.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/apiserver/resources/registry.hpp"
#include "kube/apiserver/server/api_types.hpp"

namespace podvisor::kube::apiserver {

/// What admission did.
struct admission_outcome {
  bool admitted = false;
  /// The error response when not admitted.
  api_response error;
  /// Warning headers to add ("299 - \"unknown field ...\"").
  std::vector<std::string> warnings;
};

/// Admits `object` (already carrying its final name and namespace) for `entry`.
/// kubevirt.io objects are replaced by their defaulted form. `creating` selects the
/// create-time metadata checks (name or generateName).
admission_outcome admit_object(const resource_entry& entry, nlohmann::json& object, const query_params& query,
                               bool creating);

} // namespace podvisor::kube::apiserver
