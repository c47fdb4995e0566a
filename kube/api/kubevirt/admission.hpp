#pragma once
// Admission of kubevirt.io/v1 objects: the one pipeline every entry point uses (the API
// server before storing, `podvisor validate`, the fuzzer): decode → KubeVirt defaults →
// validation. An object that fails is never half-accepted: either it comes back defaulted
// and valid, or with every error found.

#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/field_error.hpp"

namespace podvisor::kube::api {

/// Why an object was not admitted.
enum class admission_failure {
  none,        ///< admitted
  unsupported, ///< not a kubevirt.io/v1 kind this server serves (or no apiVersion/kind)
  malformed,   ///< the JSON does not decode (wrong types, out-of-range numbers): HTTP 400
  invalid,     ///< decoded, but validation failed: HTTP 422
};

/// The outcome of admitting one object.
struct admission_result {
  admission_failure failure = admission_failure::none;
  std::string kind;      ///< "VirtualMachineInstance", or what the object claimed to be
  std::string name;      ///< "namespace/name" (or generateName prefix) for messages
  json object;           ///< the defaulted object, encoded; set only when admitted
  field_errors errors;   ///< every error found
  std::vector<std::string> unknown_fields; ///< members not in the schema (kept in `object`)

  bool ok() const { return failure == admission_failure::none; }

  /// One line: `VirtualMachineInstance default/testvmi: valid` or
  /// `VirtualMachineInstance default/bad is invalid (2 errors)`.
  std::string summary() const;
};

/// Decodes, defaults and validates one kubevirt.io/v1 VirtualMachine,
/// VirtualMachineInstance or VirtualMachineInstanceMigration. Never throws.
admission_result admit(const json& object);

/// True when apiVersion/kind name a kind `admit` handles.
bool is_admitted_kind(const json& object);

} // namespace podvisor::kube::api
