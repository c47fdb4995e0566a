#pragma once
// The vm_supervisor actor: one per VMI on this node, spawned and supervised by the agent
// (agent.hpp). It drives vm_supervision (the state machine drawn in vm_supervision.hpp):
// every action that blocks — connecting to the launcher, wiring the pod network, start,
// status, shutdown — is posted to the VM's own command executor (a detached actor in
// production), the watch stream runs on a second one, and their answers come back as
// `vm_input` messages. Status goes through the VMI status writer (vm_status.hpp says
// what is written), Events through the recorder. The actor quits normally when the VM
// is finished; any other exit is a crash its parent handles.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/agent/introspection_registry.hpp"
#include "actors/agent/vm_backend.hpp"
#include "actors/agent/vm_supervision.hpp"
#include "actors/kube/api_executor.hpp"
#include "common/clock.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/kube_object.hpp"
#include "protocols/status_writer.hpp"

CAF_ADD_ATOM(podvisor, podvisor::actors::agent, vm_connect_atom, "vm_conn")
CAF_ADD_ATOM(podvisor, podvisor::actors::agent, vm_refresh_atom, "vm_refr")

namespace podvisor::actors::agent {

/// An input for the state machine, from the supervisor's IO or its timers. Node-local:
/// it never leaves the agent's process.
struct vm_input {
  supervision_input input;
};

/// What the supervisor's IO learned for introspection only (the state machine does not
/// need it): the launcher's status (domain state, stats) or the wired interfaces.
struct vm_observation {
  std::optional<backend_status> status;
  std::optional<std::vector<network_wiring>> wiring;
};

/// The vm_supervisor actor interface.
using vm_supervisor_actor = caf::typed_actor<
  /// An answer, an event or an expired wait for the state machine.
  caf::reacts_to<vm_input>,
  /// The VMI as the agent's informer now has it (a deletionTimestamp starts shutdown).
  caf::reacts_to<protocols::kube_object>,
  /// Time to connect to the launcher again.
  caf::reacts_to<vm_connect_atom>,
  /// Introspection data from the supervisor's IO.
  caf::reacts_to<vm_observation>,
  /// Time to ask the launcher's status for the domain statistics again.
  caf::reacts_to<vm_refresh_atom>>;

/// How a supervisor behaves.
struct vm_supervisor_config {
  supervision_timeouts timeouts;
  /// Between attempts to reach the launcher's socket (after one attempt's wait ran out).
  std::chrono::milliseconds connect_retry{1000};
  /// How long one connect attempt waits for the launcher to serve; the socket's
  /// directory is watched meanwhile, so a launcher is reached as soon as it listens.
  std::chrono::milliseconds connect_timeout{5000};
  /// AGENT_DIR/<uid>.
  std::filesystem::path vmi_dir;
  /// Whether the launcher pod runs under TCG (SoftwareEmulation condition); asked at
  /// every status write, since the pod may reach the agent's cache after the VMI.
  /// Empty → never.
  std::function<bool()> software_emulation;
  /// Timestamps written; nullptr → the real clock. Must outlive the actor.
  const podvisor::clock* clock = nullptr;
  /// Where the supervisor publishes its snapshot after each change (null: nowhere).
  std::shared_ptr<introspection_registry> registry;
  /// This node and how often this VMI's supervisor was restarted (for the snapshot).
  std::string node;
  std::uint32_t restarts = 0;
  /// While running, how often the launcher's status is asked for the domain statistics
  /// (with a registry only).
  std::chrono::milliseconds stats_interval{10000};
};

/// What a supervisor runs on.
struct vm_supervisor_deps {
  std::shared_ptr<vm_backend> backend;
  /// Where blocking command calls run (one at a time, in order).
  std::shared_ptr<kube::api_executor> commands;
  /// Where the watch stream runs (it blocks for the VM's life).
  std::shared_ptr<kube::api_executor> watcher;
  protocols::status_writer_actor vmi_status;
  protocols::event_recorder_actor recorder;
};

/// Spawns the supervisor of `vmi` (whose phase is Scheduled or later).
vm_supervisor_actor spawn_vm_supervisor(caf::actor_system& sys, vm_supervisor_config config, vm_supervisor_deps deps,
                                        protocols::kube_object vmi);

} // namespace podvisor::actors::agent

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::agent::vm_input)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::agent::vm_observation)
