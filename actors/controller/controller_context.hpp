#pragma once
// What the controllers of one podvisor-controller process share (KubeVirt's
// virt-controller shares its informer factory the same way): the API client, the
// executor their syncs run on, the VMI and launcher-pod informers, a VMI status writer
// and the event recorder. A controller takes what it needs and `keep`s what it spawns,
// so that one `stop_all` ends everything.
//
// And the leadership gate: a leadership subscriber that starts the controllers when
// this replica becomes leader and calls `on_lost` when it stops being one
// (virt-controller exits then; a fresh process competes again cleanly).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/fwd.hpp>

#include "actors/kube/api_executor.hpp"
#include "actors/kube/informer.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/leader_elector.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::controller {

/// The shared pieces, spawned by start_controller_context.
struct controller_context {
  caf::actor_system* sys = nullptr;
  std::shared_ptr<podvisor::kube::client::api_client> client;
  /// Where syncs and writers make their blocking API calls.
  std::shared_ptr<actors::kube::api_executor> executor;
  /// VMIs in all namespaces.
  actors::kube::informer_handle vmis;
  /// Pods labelled kubevirt.io=virt-launcher, indexed by owner uid ("owner").
  actors::kube::informer_handle launcher_pods;
  protocols::status_writer_actor vmi_status;
  protocols::event_recorder_actor recorder;
  /// Everything spawned for the controllers, stopped by stop_all.
  std::vector<caf::actor> actors;

  /// Remembers `handle` for stop_all; returns it.
  template <class Handle>
  Handle keep(Handle handle) {
    actors.push_back(caf::actor_cast<caf::actor>(handle));
    return handle;
  }
  /// Sends every kept actor an exit message.
  void stop_all();
};

/// Spawns the shared informers, writer and recorder; `host` names this replica in
/// Events (source.host).
std::shared_ptr<controller_context> start_controller_context(caf::actor_system& sys,
                                                             std::shared_ptr<podvisor::kube::client::api_client> client,
                                                             std::string host, std::size_t executor_workers = 4);

/// A leadership subscriber: `on_gain` runs once, on the first gain; `on_lost` when
/// leadership that was held is lost. Both run on the gate's actor thread.
protocols::leadership_subscriber_actor spawn_leadership_gate(caf::actor_system& sys, std::function<void()> on_gain,
                                                             std::function<void()> on_lost);

} // namespace podvisor::actors::controller
