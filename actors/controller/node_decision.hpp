#pragma once
// The node controller's decisions (kube-controller-manager's node lifecycle controller,
// KubeVirt's virt-controller node watcher), plain C++ for table tests.
//
// Staleness is judged on this process's monotonic clock, never by comparing a node's
// timestamps with our wall clock: the heartbeat values (the Lease's renewTime, the Ready
// condition's lastHeartbeatTime) are written by the node's clock, which may be skewed
// from ours by more than the timeout. We only ask whether they *changed*: each time one
// moves, we note our own steady time; a node whose heartbeat has not moved for
// `grace_period` of our time is unresponsive. A node seen for the first time (also after
// a controller restart) gets a full grace period. This is kube-controller-manager's
// probeTimestamp scheme.
//
// An unresponsive node gets its Ready condition (and the pressure conditions it has) set
// to Unknown with reason NodeStatusUnknown, and every VMI on it (status.nodeName) that
// has not ended becomes Failed with reason NodeUnresponsive, so that its VM's run
// strategy brings it back elsewhere.
//
// The node agent (podvisor-agent, KubeVirt's virt-handler) beats separately: the Node's
// annotation `podvisor.io/agent-heartbeat` (node_heartbeat.hpp) is judged the same way,
// by when it last moved on our clock, with the same grace period. A stale agent makes
// the node unschedulable for VMs — its label `podvisor.io/schedulable` becomes "false",
// which launcher pods select against — but its VMIs are left alone: they still run, and
// the agent re-adopts them when it returns and sets the label "true" again. A node that
// never had the annotation has no agent and is left alone.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "kube/api/core/lease.hpp"
#include "kube/api/core/node.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/api/kubevirt/node_keys.hpp"

namespace podvisor::actors::controller {

/// What the controller remembers about one node's heartbeat.
struct node_health {
  std::optional<std::chrono::system_clock::time_point> lease_renew;     ///< as last seen (node's clock)
  std::optional<std::chrono::system_clock::time_point> ready_heartbeat; ///< as last seen (node's clock)
  podvisor::clock::steady_time observed_at{}; ///< our time when either last moved
  std::optional<std::string> agent_heartbeat;  ///< the agent's annotation as last seen
  podvisor::clock::steady_time agent_observed_at{}; ///< our time when it last moved
  bool operator==(const node_health&) const = default;
};

/// One look at one node.
struct node_input {
  const podvisor::kube::api::node& node;
  const podvisor::kube::api::lease* lease = nullptr; ///< kube-node-lease/<node name>, if any
  std::optional<node_health> previous;     ///< nothing: first look
  podvisor::clock::steady_time now{};
  std::chrono::nanoseconds grace_period = std::chrono::seconds{40};
};

/// What to do about it.
struct node_decision {
  node_health health;   ///< remember this for the next look
  bool stale = false;   ///< the heartbeat has not moved for the grace period
  bool mark_unknown = false; ///< write the node's status (mark_node_unknown)
  /// The agent's heartbeat has not moved for the grace period (never when there is none).
  bool agent_stale = false;
  /// Set the label podvisor.io/schedulable "false" (stale, and it is not "false" yet).
  bool mark_unschedulable = false;
  /// When to look again to catch the earlier of the two timeouts (nothing when both are
  /// stale or absent).
  std::optional<std::chrono::nanoseconds> recheck_after;
};

/// The node label the agent keeps "true" and a stale agent turns "false".
inline constexpr const char* schedulable_label = podvisor::kube::api::node_schedulable_label;
/// The agent's heartbeat annotation on its Node.
inline constexpr const char* agent_heartbeat_annotation = podvisor::kube::api::node_agent_heartbeat_annotation;

/// Decides about one node.
node_decision decide_node(const node_input& in);

/// Sets Ready (added when missing) and the pressure conditions present to Unknown with
/// reason NodeStatusUnknown; lastHeartbeatTime is kept, lastTransitionTime = `now` where
/// the status changes. Returns false when nothing changed.
bool mark_node_unknown(podvisor::kube::api::node_status& status, std::chrono::system_clock::time_point now);

/// The VMIs on `node_name` to fail: not ended and not being deleted.
std::vector<const podvisor::kube::api::virtual_machine_instance*>
vmis_to_fail(const std::string& node_name, const std::vector<const podvisor::kube::api::virtual_machine_instance*>& vmis);

/// Fails a VMI whose node stopped responding: phase Failed, reason NodeUnresponsive, the
/// transition recorded. Returns false when it had already ended (left as it is).
bool fail_vmi_node_unresponsive(podvisor::kube::api::vmi_status& status, std::chrono::system_clock::time_point now);

} // namespace podvisor::actors::controller
