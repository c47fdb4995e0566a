#pragma once
// The podlet: kubelet's part for one simulated node, talking only to the API server.
// It assembles the kube bridge pieces (an informer on the node's pods, a status writer
// for pods, an event recorder) with the node agent (Node registration, heartbeat, node
// Lease) and the pod manager (pods run through a pod_runtime).

#include <chrono>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/podlet/node_agent.hpp"
#include "actors/podlet/pod_manager.hpp"
#include "kube/client/api_client.hpp"
#include "kube/podlet/pod_runtime.hpp"

namespace podvisor::actors::podlet {

/// Everything a podlet is told.
struct podlet_config {
  node_description node;
  std::chrono::nanoseconds heartbeat_interval = std::chrono::seconds{10};
  std::chrono::nanoseconds lease_renew_interval = std::chrono::seconds{10};
  std::chrono::nanoseconds observe_interval = std::chrono::milliseconds{500};
  /// Threads for runtime calls and for API calls.
  std::size_t runtime_workers = 6;
  std::size_t api_workers = 2;
};

/// The running podlet's actors (stop them with `stop_podlet`).
struct podlet_handle {
  caf::actor node_agent;
  caf::actor pod_manager;
  caf::actor informer;
  caf::actor status_writer;
  caf::actor recorder;
};

/// Starts a podlet against `client`, running pods through `runtime`.
podlet_handle spawn_podlet(caf::actor_system& sys, podlet_config config,
                           std::shared_ptr<podvisor::kube::client::api_client> client,
                           std::shared_ptr<podvisor::kube::podlet::pod_runtime> runtime);

/// Stops every actor of the podlet; the pods keep running.
void stop_podlet(const podlet_handle& podlet);

} // namespace podvisor::actors::podlet
