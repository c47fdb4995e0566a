#pragma once
// CustomResourceDefinitions (apiextensions.k8s.io/v1). There is no C++ type for them:
// CRD objects are stored as JSON, described by a small hand-written schema, and turned
// into registry entries here, so that creating a CRD makes its resource servable and
// visible in discovery at once. Only what the server needs is read; conversion webhooks,
// the scale subresource and validation by the CRD's schema are not supported.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/field_error.hpp"
#include "kube/apiserver/resources/registry.hpp"

namespace podvisor::kube::apiserver {

/// The entries a CRD defines (one per served version), or why it is invalid.
struct crd_entries {
  std::vector<resource_entry> entries;
  api::field_errors errors;
};

/// Reads a CRD object. Checks what the server relies on: metadata.name is
/// "<plural>.<group>", the group has a dot, names are lowercase where Kubernetes requires
/// it, the scope is Namespaced or Cluster, versions are unique with exactly one storage
/// version, printer columns have a known type and a JSONPath this server can evaluate.
crd_entries entries_from_crd(const json& crd);

/// The OpenAPI schema of the CustomResourceDefinition kind itself.
json crd_schema();

/// The status a server keeps on an accepted CRD: acceptedNames from spec.names, the
/// conditions NamesAccepted and Established (True; a transition time already recorded
/// for a True condition is kept) and storedVersions (the storage version added).
/// `kubectl wait --for condition=established` waits for this.
json crd_accepted_status(const json& crd, std::chrono::system_clock::time_point now);

/// The components.schemas key of a custom kind, reversed group first as Kubernetes names
/// them: ("example.com", "v1", "Foo") -> "com.example.v1.Foo".
std::string custom_schema_name(std::string_view group, std::string_view version, std::string_view kind);

} // namespace podvisor::kube::apiserver
