#pragma once
// The embedded scheduler actor (protocol: protocols/scheduler.hpp): kube-scheduler's loop
// around the pure decision core in kube/scheduler, talking only to the API server.
//
//   node informer ──► cluster_state (nodes, bound pods, assumed pods)
//   pod informer ──┬► cluster_state
//                  └► pending pods (unbound, ours) ──► scheduling_queue
//                                                          │ one pod per step
//                                                          ▼
//                      snapshot ──► kube::scheduler::schedule(pod, snapshot)
//                        │ a node fits                        │ none fits
//                        ▼                                    ▼
//          assume the pod on it, POST pods/NAME/binding   Warning Event FailedScheduling,
//          on the executor                                PodScheduled=False Unschedulable,
//            ok → done (the informer confirms)            park: retried when a node is
//            conflict / not found → dropped               added or changes in a way that
//            other error → forget, park                   matters, a bound pod goes away,
//                                                         the pod itself changes, or after
//                                                         its backoff (1 s doubling to 60 s)
//
// Nothing is decided before both informers have synced (a partial picture would
// overcommit nodes). Decisions are serial, one pod per message, so informer events
// interleave with a long queue. Blocking API calls run on the api_executor; the event
// recorder and the status writer are separate actors the scheduler is given.

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/kube/api_executor.hpp"
#include "actors/scheduler/scheduling_queue.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/informer.hpp"
#include "protocols/scheduler.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::scheduler {

/// How the scheduler behaves.
struct scheduler_config {
  /// Pods whose spec.schedulerName is this (empty counts as "default-scheduler").
  std::string scheduler_name = "default-scheduler";
  /// Retry delays of unschedulable pods.
  queue_backoff backoff;
  /// lastTransitionTime of the PodScheduled condition; nullptr → the real clock. Must
  /// outlive the actor.
  const podvisor::clock* clock = nullptr;
};

/// The actors and services the scheduler works with.
struct scheduler_peers {
  /// Informers on all nodes and on all pods (the scheduler subscribes itself).
  protocols::informer_actor nodes;
  protocols::informer_actor pods;
  /// FailedScheduling events.
  protocols::event_recorder_actor recorder;
  /// A status writer for pods: the PodScheduled condition.
  protocols::status_writer_actor pod_status;
  /// Binding calls, run on `executor`.
  std::shared_ptr<podvisor::kube::client::api_client> client;
  std::shared_ptr<actors::kube::api_executor> executor;
};

/// Spawns the scheduler; it subscribes to both informers at once. Stop it with an exit
/// message.
protocols::scheduler_actor spawn_scheduler(caf::actor_system& sys, scheduler_config config, scheduler_peers peers);

} // namespace podvisor::actors::scheduler
