#pragma once
// NodeResourcesFit: the pod's requests must fit in the node's allocatable minus what the
// pods already bound there request. Every requested resource is checked — cpu, memory,
// ephemeral-storage, hugepages and extended resources such as devices.kubevirt.io/kvm; a
// resource the node does not list has nothing allocatable. A resource the pod requests
// zero of is never a reason. Reasons, one per short resource, as kube-scheduler words and
// orders them (the pod count, cpu, memory, ephemeral-storage, then the others by name):
// "Insufficient cpu", "Insufficient memory", "Insufficient devices.kubevirt.io/kvm".
//
// One deliberate difference: the pod count ("Too many pods") is only enforced when the
// node lists `pods` in allocatable; kube-scheduler treats a missing entry as zero pods,
// which would make a node registered without it unusable.

#include "kube/api/core/pod.hpp"
#include "kube/scheduler/filter.hpp"
#include "kube/scheduler/node_info.hpp"

namespace podvisor::kube::scheduler {

/// The filter, with the pod's requests already computed (`pod_requests(pod, exact)`).
filter_reasons filter_resources(const resource_amounts& pod_request, const node_info& node);

/// The filter, computing the pod's requests.
filter_reasons filter_resources(const api::pod& pod, const node_info& node);

} // namespace podvisor::kube::scheduler
