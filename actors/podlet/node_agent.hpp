#pragma once
// The node agent: registers the podlet's Node and keeps it alive, the two ways kubelet
// does — the Node's status (conditions with lastHeartbeatTime) every
// `heartbeat_interval`, and the node Lease in kube-node-lease renewed every
// `lease_renew_interval`.
//
//   start ──► NODE SYNC: GET node (create it when missing), update labels/podCIDR when
//             they differ, PUT status ──► timer heartbeat_interval ──► NODE SYNC ...
//         └─► LEASE SYNC: GET lease (create when missing), PUT renewTime
//             ──► timer lease_renew_interval ──► LEASE SYNC ...
//
// A failed sync is logged and retried after `retry_interval` (not a whole heartbeat
// later, so a podlet started before its API server registers soon after it is up).
// Every API call runs on the api_executor; the actor never blocks.

#include <chrono>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/kube/api_executor.hpp"
#include "actors/podlet/node_object.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"

namespace podvisor::actors::podlet {

/// How the node agent behaves.
struct node_agent_config {
  node_description node;
  std::chrono::nanoseconds heartbeat_interval = std::chrono::seconds{10};
  std::chrono::nanoseconds lease_renew_interval = std::chrono::seconds{10};
  std::chrono::seconds lease_duration{40};
  std::chrono::nanoseconds retry_interval = std::chrono::seconds{1};
  /// Wall clock for timestamps; nullptr → the real clock. Must outlive the actor.
  const podvisor::clock* clock = nullptr;
};

/// Spawns the node agent; stop it with an exit message.
caf::actor spawn_node_agent(caf::actor_system& sys, node_agent_config config,
                            std::shared_ptr<podvisor::kube::client::api_client> client,
                            std::shared_ptr<kube::api_executor> executor);

} // namespace podvisor::actors::podlet
