#include "actors/controller/node_decision.hpp"

#include <algorithm>

namespace podvisor::actors::controller {

namespace api = podvisor::kube::api;

namespace {

const api::node_condition* find(const api::node_status& s, std::string_view type) {
  for (const auto& c : s.conditions)
    if (c.type == type)
      return &c;
  return nullptr;
}

} // namespace

node_decision decide_node(const node_input& in) {
  node_decision d;
  node_health seen;
  if (in.lease && in.lease->spec.renew_time)
    seen.lease_renew = in.lease->spec.renew_time->time;
  if (const auto* ready = find(in.node.status, "Ready"); ready && ready->last_heartbeat_time.time.time_since_epoch().count())
    seen.ready_heartbeat = ready->last_heartbeat_time.time;

  const bool moved = !in.previous || in.previous->lease_renew != seen.lease_renew ||
                     in.previous->ready_heartbeat != seen.ready_heartbeat;
  seen.observed_at = moved ? in.now : in.previous->observed_at;

  const auto& annotations = in.node.metadata.annotations;
  if (auto a = annotations.find(agent_heartbeat_annotation); a != annotations.end())
    seen.agent_heartbeat = a->second;
  const bool agent_moved = !in.previous || in.previous->agent_heartbeat != seen.agent_heartbeat;
  seen.agent_observed_at = agent_moved ? in.now : in.previous->agent_observed_at;
  d.health = seen;

  auto recheck = [&d](std::chrono::nanoseconds after) {
    if (!d.recheck_after || after < *d.recheck_after)
      d.recheck_after = after;
  };
  if (seen.agent_heartbeat) {
    auto agent_silent_for = in.now - seen.agent_observed_at;
    if (agent_silent_for < in.grace_period) {
      recheck(in.grace_period - agent_silent_for);
    } else {
      d.agent_stale = true;
      auto label = in.node.metadata.labels.find(schedulable_label);
      d.mark_unschedulable = label == in.node.metadata.labels.end() || label->second != "false";
    }
  }

  auto silent_for = in.now - seen.observed_at;
  if (silent_for < in.grace_period) {
    recheck(in.grace_period - silent_for);
    return d;
  }
  d.stale = true;
  const auto* ready = find(in.node.status, "Ready");
  d.mark_unknown = !ready || !(ready->status == api::condition_status::unknown);
  return d;
}

bool mark_node_unknown(api::node_status& status, std::chrono::system_clock::time_point now) {
  bool changed = false;
  const bool never = find(status, "Ready") == nullptr;
  if (never) {
    api::node_condition c;
    c.type = "Ready";
    status.conditions.push_back(c);
  }
  for (auto& c : status.conditions) {
    if (c.type != "Ready" && c.type != "MemoryPressure" && c.type != "DiskPressure" && c.type != "PIDPressure")
      continue;
    if (c.status == api::condition_status::unknown)
      continue;
    c.status = api::condition_status::unknown;
    // kube-controller-manager's words.
    c.reason = never ? "NodeStatusNeverUpdated" : "NodeStatusUnknown";
    c.message = never ? "Kubelet never posted node status." : "Kubelet stopped posting node status.";
    c.last_transition_time = api::timestamp{now};
    changed = true;
  }
  return changed;
}

std::vector<const api::virtual_machine_instance*>
vmis_to_fail(const std::string& node_name, const std::vector<const api::virtual_machine_instance*>& vmis) {
  std::vector<const api::virtual_machine_instance*> out;
  for (const auto* vmi : vmis) {
    if (!vmi || node_name.empty() || vmi->status.node_name != node_name || vmi->metadata.deletion_timestamp)
      continue;
    auto phase = vmi->status.phase.value();
    if (phase && api::is_final(*phase))
      continue;
    out.push_back(vmi);
  }
  return out;
}

bool fail_vmi_node_unresponsive(api::vmi_status& status, std::chrono::system_clock::time_point now) {
  auto phase = status.phase.value();
  if (phase && api::is_final(*phase))
    return false;
  status.phase = api::vmi_phase::failed;
  status.reason = "NodeUnresponsive";
  status.phase_transition_timestamps.push_back(
    api::vmi_phase_transition{.phase = api::vmi_phase::failed, .phase_transition_timestamp = api::timestamp{now}, .unknown = {}});
  return true;
}

} // namespace podvisor::actors::controller
