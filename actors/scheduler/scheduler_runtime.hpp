#pragma once
// An embedded scheduler in one call: the informers, the API executor, the event recorder,
// the pod status writer and the scheduler actor, wired together. `podvisor-scheduler`
// runs one; any other process (e.g. `podvisor up`) can run one in its own actor system.

#include <cstddef>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/kube/api_executor.hpp"
#include "actors/kube/informer.hpp"
#include "actors/scheduler/scheduler.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/scheduler.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::scheduler {

/// How an embedded scheduler runs.
struct scheduler_runtime_config {
  scheduler_config scheduler;
  /// Events' source.host / reportingInstance (e.g. the host name); may be empty.
  std::string host;
  /// Threads (detached actors) for binds, status writes and events.
  std::size_t executor_workers = 2;
};

/// A running scheduler and the actors it consists of.
struct scheduler_runtime {
  actors::kube::informer_handle nodes;
  actors::kube::informer_handle pods;
  std::shared_ptr<actors::kube::api_executor> executor;
  protocols::event_recorder_actor recorder;
  protocols::status_writer_actor pod_status;
  protocols::scheduler_actor scheduler;

  /// Sends every actor an exit message, the scheduler first; the actor system then
  /// shuts down once the executor's jobs have finished. Idempotent.
  void stop();
};

/// The informers the scheduler subscribes to: all nodes, and all pods indexed by node
/// ("node"), each cache keeping only what the scheduler reads (cache_transforms.hpp).
actors::kube::informer_config node_informer_config();
actors::kube::informer_config pod_informer_config();

/// Starts a scheduler against the API server behind `client`. Events carry the
/// scheduler's name as their component, as kube-scheduler's do.
scheduler_runtime start_scheduler(caf::actor_system& sys, std::shared_ptr<podvisor::kube::client::api_client> client,
                                  scheduler_runtime_config config);

} // namespace podvisor::actors::scheduler
