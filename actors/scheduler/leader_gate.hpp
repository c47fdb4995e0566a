#pragma once
// Runs the embedded scheduler only while this replica leads (kube-scheduler's
// --leader-elect): a leadership subscriber that starts a scheduler_runtime when the
// elector reports leadership and stops it when leadership is lost, then tells its owner
// (kube-scheduler exits at that point, so that a fresh start re-competes cleanly).

#include <functional>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/scheduler/scheduler_runtime.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/leader_elector.hpp"

namespace podvisor::actors::scheduler {

/// Called (on an actor thread) when leadership was held and is lost; the scheduler has
/// been stopped by then.
using leadership_lost = std::function<void()>;

/// Spawns the gate; pass it to spawn_leader_elector as the subscriber. Stopping the gate
/// (an exit message) stops a running scheduler.
protocols::leadership_subscriber_actor spawn_leader_gate(caf::actor_system& sys,
                                                         std::shared_ptr<podvisor::kube::client::api_client> client,
                                                         scheduler_runtime_config config, leadership_lost on_lost);

} // namespace podvisor::actors::scheduler
