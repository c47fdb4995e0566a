#pragma once
// What every filter returns, and kube-scheduler's reason texts, which users and tools
// match on (they appear in FailedScheduling events and the PodScheduled condition).
//
// A filter is a pure function `filter_reasons filter_x(const api::pod&, const node_info&,
// ...)`: no reasons means the node passes. Reasons of one node are counted per text by
// `fit_error_message`.

#include <string>
#include <string_view>
#include <vector>

namespace podvisor::kube::scheduler {

/// Why a node cannot take the pod; empty when it can.
using filter_reasons = std::vector<std::string>;

namespace reason {
/// NodeUnschedulable's ErrReasonUnschedulable (spec.unschedulable, a cordoned node).
inline constexpr std::string_view unschedulable = "node(s) were unschedulable";
/// NodeAffinity's ErrReasonPod (nodeSelector or required node affinity).
inline constexpr std::string_view node_affinity = "node(s) didn't match Pod's node affinity/selector";
/// InterPodAffinity: the pod's own required anti-affinity.
inline constexpr std::string_view anti_affinity = "node(s) didn't match pod anti-affinity rules";
/// InterPodAffinity: a pod already there keeps this one away.
inline constexpr std::string_view existing_anti_affinity =
  "node(s) didn't satisfy existing pods anti-affinity rules";
/// NodeResourcesFit: the node's allocatable pod count is reached.
inline constexpr std::string_view too_many_pods = "Too many pods";
} // namespace reason

} // namespace podvisor::kube::scheduler
