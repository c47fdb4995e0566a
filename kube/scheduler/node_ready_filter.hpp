#pragma once
// Node readiness. kube-scheduler never reads conditions itself: kube-controller-manager's
// node lifecycle controller turns them into taints (Ready False → not-ready, Unknown →
// unreachable) and the kubelet registers with not-ready until its first report, which the
// taint filter then enforces. The embedded cluster has no such controller, so this filter
// applies the taints it would have added, with the same toleration rules and the same
// message ("node(s) had untolerated taint {node.kubernetes.io/not-ready: }"); a pod that
// tolerates them (as DaemonSet pods do) still fits. It also plays NodeUnschedulable:
// spec.unschedulable (a cordoned node) refuses pods that do not tolerate
// node.kubernetes.io/unschedulable:NoSchedule.

#include <optional>

#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/scheduler/filter.hpp"
#include "kube/scheduler/node_info.hpp"

namespace podvisor::kube::scheduler {

inline constexpr std::string_view taint_not_ready = "node.kubernetes.io/not-ready";
inline constexpr std::string_view taint_unreachable = "node.kubernetes.io/unreachable";
inline constexpr std::string_view taint_unschedulable = "node.kubernetes.io/unschedulable";

/// The NoSchedule taint the node lifecycle controller would put on this node: none when
/// the Ready condition is True, not-ready when it is False or missing, unreachable when it
/// is Unknown (or any other value).
std::optional<api::taint> readiness_taint(const api::node& node);

/// The filter: "node(s) were unschedulable" for a cordoned node, else the untolerated
/// readiness taint, else nothing.
filter_reasons filter_node_ready(const api::pod& pod, const node_info& node);

} // namespace podvisor::kube::scheduler
