#pragma once
// The resources the embedded API server serves out of the box: core/v1 namespaces, pods
// (status, binding), nodes (status), events, configmaps, secrets and
// persistentvolumeclaims; coordination.k8s.io/v1 leases; apiextensions.k8s.io/v1
// customresourcedefinitions; kubevirt.io/v1 virtualmachines, virtualmachineinstances and
// virtualmachineinstancemigrations (status). Facts come from each type's `kind_info`,
// schemas from its `describe` (the definitions the codec and validation use).

#include <vector>

#include "kube/apiserver/resources/registry.hpp"

namespace podvisor::kube::apiserver {

/// A fresh list of the built-in entries, in discovery order.
std::vector<resource_entry> builtin_resources();

} // namespace podvisor::kube::apiserver
