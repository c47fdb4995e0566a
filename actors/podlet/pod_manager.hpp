#pragma once
// The pod manager: kubelet's pod workers for one simulated node. It follows the pods
// bound to the node (an informer with spec.nodeName=<node>), runs them through the
// pod_runtime, observes them and writes their status, and terminates them when they are
// deleted. Every runtime call runs on `runtime_executor` (run_pod may take hundreds of
// milliseconds), every API call on the api executor; the actor itself never blocks.
//
// One pod's life (one runtime call in flight per pod; timers set "due" flags that the
// next step picks up):
//
//   bound ──► STARTING: run_pod ──ok──► RUNNING: observe every observe_interval while a
//                │  ▲                      │     container runs or waits; status written
//                │  │ transient error:     │     when it changes; all ended → FINISHED
//                │  └ CreateContainerError,│
//                │    Warning event,       │ metadata.deletionTimestamp
//                │    retry with backoff   ▼
//                │                  TERMINATING: SIGTERM (Killing events), observe at
//                │ permanent error        once and every interval; timer after
//                ▼ (invalid_argument,     min(terminationGracePeriodSeconds,
//              Failed  unsupported,       deletionGracePeriodSeconds) → SIGKILL;
//                      parse_error)       nothing running any more → on at once
//                                                 ▼
//                                          REMOVING: remove_pod
//                                                 ▼
//                                          DELETING: DELETE gracePeriodSeconds=0 with a
//                                          uid precondition (the API server removes the
//                                          object; a 404 or uid conflict means done)
//
// A pod deleted from the API without us (informer deleted event) is removed from the
// runtime at once. Restart: before subscribing, the manager asks the runtime for the
// pods it has (list_pods); pods the API still binds here are observed, not re-run; once
// the informer has synced, runtime pods the API no longer has are removed.
//
// restartPolicy: Never is complete. With Always/OnFailure an ended container is
// reported (phase Running as kubelet would while it restarts) but not restarted: the
// pod_runtime has no per-container restart yet.

#include <chrono>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/kube/api_executor.hpp"
#include "common/backoff.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"
#include "kube/podlet/pod_runtime.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/informer.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::podlet {

/// How the pod manager behaves.
struct pod_manager_config {
  std::string node_name;
  /// The node's address (status.hostIP).
  std::string host_ip;
  /// Observation period while a container runs or waits.
  std::chrono::nanoseconds observe_interval = std::chrono::milliseconds{500};
  /// Retries of run_pod after a transient error (kubelet: 10 s doubling to 5 min).
  backoff_policy run_backoff{std::chrono::seconds{10}, std::chrono::minutes{5}, 2.0, 0.0};
  /// Retry delay of a failed final DELETE.
  std::chrono::nanoseconds delete_retry = std::chrono::seconds{1};
  /// Wall clock for status timestamps; nullptr → the real clock. Must outlive the actor.
  const podvisor::clock* clock = nullptr;
};

/// The actors and mechanisms the pod manager works with.
struct pod_manager_deps {
  protocols::informer_actor informer;
  protocols::status_writer_actor status_writer;
  protocols::event_recorder_actor recorder;
  std::shared_ptr<podvisor::kube::client::api_client> client;
  std::shared_ptr<kube::api_executor> api_executor;
  std::shared_ptr<podvisor::kube::podlet::pod_runtime> runtime;
  std::shared_ptr<kube::api_executor> runtime_executor;
};

/// Spawns the pod manager; it lists the runtime's pods, then subscribes to the informer.
/// Stopping it (an exit message) leaves the pods running, as stopping kubelet does.
caf::actor spawn_pod_manager(caf::actor_system& sys, pod_manager_config config, pod_manager_deps deps);

} // namespace podvisor::actors::podlet
