#pragma once
// The node controller: a reconcile loop (reconcile_loop.hpp) over Nodes that notices
// node agents that stopped heartbeating (node_decision.hpp says how, and why by our own
// clock only). Node events and their Leases (kube-node-lease/<node>) queue the node's
// key; VMI events queue the key of the node they run on (status.nodeName), so a VMI
// placed on a node already unresponsive is failed too.
//
// A sync of a node: remember when its heartbeat last moved (in memory; a restarted
// controller gives every node a fresh grace period), and when it has not moved for the
// grace period: mark the Node's Ready condition Unknown (through the node status writer)
// and fail each VMI on it that has not ended (phase Failed, reason NodeUnresponsive,
// read-modify-write of the VMI status on the executor, retried on conflict). Before the
// timeout the key is requeued for the moment it would expire.
//
// The node agent's heartbeat annotation is watched the same way; when it stands still,
// the Node's label podvisor.io/schedulable becomes "false" (a read-modify-write with the
// read's resourceVersion, given up when the heartbeat moved meanwhile) and an
// AgentUnresponsive event is recorded; its VMIs are not touched.

#include <chrono>
#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/controller/reconcile_loop.hpp"
#include "actors/kube/api_executor.hpp"
#include "actors/kube/informer.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::controller {

/// The VMI informer index the node controller reads (status.nodeName); without it, it
/// scans the whole cache.
inline constexpr const char* vmi_node_index = "node";

/// What the node controller needs.
struct node_controller_config {
  /// Informers on Nodes, on Leases in kube-node-lease, and on VMIs (ideally with the
  /// index `vmi_node_index` = field_index("status.nodeName")).
  actors::kube::informer_handle nodes;
  actors::kube::informer_handle leases;
  actors::kube::informer_handle vmis;
  /// For VMI status writes (called on the executor).
  std::shared_ptr<podvisor::kube::client::api_client> client;
  std::shared_ptr<actors::kube::api_executor> executor;
  /// Writes Node status.
  protocols::status_writer_actor status_writer;
  /// Records NodeNotReady, NodeUnresponsive and AgentUnresponsive events; may be null.
  protocols::event_recorder_actor recorder;
  /// Steady time judges staleness, wall time stamps conditions; must outlive the
  /// controller.
  const podvisor::clock* clock = &podvisor::real_clock::instance();
  /// How long a heartbeat may stand still (kube-controller-manager's
  /// node-monitor-grace-period: 40 s).
  std::chrono::nanoseconds grace_period = std::chrono::seconds{40};
  std::size_t workers = 2;
};

/// Spawns the node controller (its reconcile loop, subscribed to the three informers).
reconcile_loop_actor spawn_node_controller(caf::actor_system& sys, node_controller_config config);

struct controller_context;

/// Spawns the node controller in podvisor-controller: its own Node and kube-node-lease
/// Lease informers and Node status writer, the context's client, executor, VMI informer
/// and recorder; everything it spawns is kept in `ctx`.
reconcile_loop_actor spawn_node_controller(caf::actor_system& sys, controller_context& ctx,
                                           std::chrono::nanoseconds grace_period = std::chrono::seconds{40},
                                           std::size_t workers = 2);

} // namespace podvisor::actors::controller
