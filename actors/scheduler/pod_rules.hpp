#pragma once
// The scheduler's small judgements about objects, as plain functions over JSON so that
// they cost no decoding and are tested by table: which pods are ours to schedule, which
// changes can make a parked pod fit, and the PodScheduled condition it writes.

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace podvisor::actors::scheduler {

/// The name pods without spec.schedulerName get (the API server defaults it).
inline constexpr std::string_view default_scheduler_name = "default-scheduler";

/// True when `pod` waits for `scheduler_name`: spec.nodeName empty, spec.schedulerName
/// equal to it (empty counts as "default-scheduler"), not being deleted, and not
/// finished (phase Succeeded or Failed).
bool needs_scheduling(const nlohmann::json& pod, std::string_view scheduler_name);

/// spec.nodeName, or "".
std::string bound_node(const nlohmann::json& pod);

/// True when a pod has finished (phase Succeeded or Failed) or is being deleted.
bool finished_or_deleting(const nlohmann::json& pod);

/// True when the change from `before` to `after` can make a pod fit a node it did not
/// fit (kube-scheduler's node update filter): labels, taints, unschedulable,
/// allocatable, or a condition's type/status. Heartbeats (timestamps) do not count.
bool node_change_matters(const nlohmann::json& before, const nlohmann::json& after);

/// True when a pod's own scheduling inputs changed (spec or labels), so a parked pod
/// deserves another try at once. Status writes — our own PodScheduled condition
/// included — do not count.
bool pod_change_matters(const nlohmann::json& before, const nlohmann::json& after);

/// True when `pod` already has PodScheduled=False, reason Unschedulable, with `message`.
bool has_unschedulable_condition(const nlohmann::json& pod, std::string_view message);

/// Sets PodScheduled=False, reason Unschedulable, `message` in pod.status.conditions
/// (lastTransitionTime `now` when the status changes, kept otherwise). Leaves a pod that
/// is bound meanwhile alone. Returns true when it changed the pod.
bool set_unschedulable_condition(nlohmann::json& pod, std::string_view message, const std::string& now);

/// The Binding object that binds `pod` (namespace, name, uid) to `node`.
nlohmann::json make_binding(std::string_view namespace_, std::string_view name, std::string_view uid,
                            std::string_view node);

} // namespace podvisor::actors::scheduler
