#pragma once
// The node agent's heartbeat (KubeVirt's virt-handler heartbeat): every `interval` the
// agent merge-patches its Node with
//   labels:      podvisor.io/schedulable: "true"
//   annotations: podvisor.io/agent-heartbeat: <RFC 3339 wall time of the patch, in µs>
//                podvisor.io/kvm: "true" | "false"   (what the agent's KVM probe found)
// The node controller notes when the heartbeat annotation last *moved* (on its own
// clock) and sets the label "false" when it stands still for the grace period;
// launcher pods select `podvisor.io/schedulable: "true"`, so new VMs go only where an
// agent is alive. The next heartbeat makes the node schedulable again.
//
//   start ──► PATCH node (on the executor) ──ok──► timer interval ──► PATCH ...
//                                          └─error (e.g. the Node is not registered
//                                            yet) ──► log, timer retry_interval ──► PATCH ...
//
// The kvm device resource (devices.kubevirt.io/kvm) stays the podlet's, as the device
// plugin's is kubelet's; the annotation only shows operators what the agent, which runs
// the VMs, found. Every API call runs on the api_executor; the actor never blocks.

#include <chrono>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <nlohmann/json.hpp>

#include "actors/kube/api_executor.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"
#include "kube/api/kubevirt/node_keys.hpp"

namespace podvisor::actors::agent {

/// The label a live agent keeps "true" (KubeVirt's kubevirt.io/schedulable).
inline constexpr const char* schedulable_label = podvisor::kube::api::node_schedulable_label;
/// The heartbeat annotation: the agent's wall time of its last heartbeat (RFC 3339).
inline constexpr const char* heartbeat_annotation = podvisor::kube::api::node_agent_heartbeat_annotation;
/// Whether the agent found KVM usable ("true"/"false").
inline constexpr const char* kvm_annotation = podvisor::kube::api::node_kvm_annotation;

/// How the heartbeat behaves.
struct node_heartbeat_config {
  std::string node_name;
  /// The agent's KVM verdict (virt::probe_kvm, once at start).
  bool kvm_usable = false;
  std::chrono::nanoseconds interval = std::chrono::seconds{15};
  /// After a failed patch.
  std::chrono::nanoseconds retry_interval = std::chrono::seconds{1};
  /// Wall clock for the annotation; nullptr → the real clock. Must outlive the actor.
  const podvisor::clock* clock = nullptr;
};

/// The merge patch of one heartbeat at wall time `now`.
nlohmann::json node_heartbeat_patch(bool kvm_usable, std::chrono::system_clock::time_point now);

/// Spawns the heartbeat; it patches at once, then every interval. Stop it with an exit
/// message.
caf::actor spawn_node_heartbeat(caf::actor_system& sys, node_heartbeat_config config,
                                std::shared_ptr<podvisor::kube::client::api_client> client,
                                std::shared_ptr<actors::kube::api_executor> executor);

} // namespace podvisor::actors::agent
