#pragma once
// The reconcile loop every controller here is built from, in the shape of KubeVirt's
// controllers (client-go's informer → workqueue → worker pattern):
//
//   informer events ──keys_for──► work queue ──get──► sync(key) on the api executor
//        │ (acked at once:           ▲   (a key never runs        │ (reads informer caches,
//        │  the key is the state)    │    twice at once)          │  makes API calls)
//        │                           │                            ▼
//        │                           │              sync_result: status changes, events,
//        │                           │              or a failure with a reason
//        │                           │                            │
//        │                           │     status changes ──► status writer (replies
//        │                           │     events ──► event recorder       awaited)
//        │                           │                            │
//        │                           └── failure: add_rate_limited(key) (5 ms … 1000 s),
//        │                               status condition Synchronized=False with the
//        │                               reason and message, a Warning Event;
//        │                               success: forget(key) (and, after a failure,
//        │                               the Synchronized condition is removed);
//        │                               requeue_after > 0: add_after(key, delay)
//
// Keys are held back until every source informer has delivered `synced`, so that a
// first sync never acts on a half-filled cache (client-go's WaitForCacheSync).
//
// Informer events are acknowledged as soon as their keys are queued: the queue is where
// state lives (level-triggered), so the informer's window never fills behind a slow sync.
//
// The sync function runs on the api executor (detached threads in production, inline in
// tests), so it may block on API calls; it must only read informer caches and
// thread-safe state (expectations), never the loop's. Status changes are written through
// the status writer *after* the sync and before the key is done, so two status writes
// for one key never race and a sync always sees its previous status write's effect in
// the API (the cache may lag; controllers use expectations for that).
//
// Leadership is not the loop's business: podvisor-controller spawns its controllers when
// it becomes leader and exits when it stops being one (as virt-controller does).
//
// Stop the loop with an exit message; it unsubscribes by terminating (informers monitor
// their subscribers).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/controller/work_queue.hpp"
#include "actors/kube/api_executor.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/informer.hpp"
#include "protocols/kube_object.hpp"
#include "protocols/status_writer.hpp"

CAF_ADD_ATOM(podvisor, podvisor::actors::controller, reconcile_stats_atom, "rec_stats")
CAF_ADD_ATOM(podvisor, podvisor::actors::controller, reconcile_enqueue_atom, "rec_enq")

namespace podvisor::actors::controller {

/// What one sync of a key produced.
struct sync_result {
  /// Empty on success. On failure a CamelCase reason ("FailedCreate") that becomes the
  /// Synchronized=False condition's reason and the Warning Event's reason.
  std::string error_reason;
  /// For people: what failed and why.
  std::string error_message;
  /// Written through the status writer after the sync, in order (also after a failure:
  /// what the sync decided before failing still counts).
  std::vector<protocols::status_change> status_changes;
  /// Recorded after the sync (Normal events such as SuccessfulCreate).
  std::vector<protocols::event_record> events;
  /// > 0: process the key again after this delay (e.g. an expectation that may expire).
  std::chrono::nanoseconds requeue_after{0};

  bool failed() const { return !error_reason.empty(); }
  /// A failure with `reason` and `message`.
  static sync_result failure(std::string reason, std::string message);
};

/// Reconciles one key. Runs on the api executor: may block; must be thread-safe with
/// respect to everything it touches besides its arguments. Must not throw (an exception
/// becomes a failure with reason "InternalError").
using sync_function = std::function<sync_result(const std::string& key)>;

/// An informer the loop subscribes to, and how its events become keys.
struct informer_source {
  protocols::informer_actor informer;
  /// The keys to queue for an event (e.g. a pod → its owner VMI's key). Runs on the
  /// loop's actor, may also lower expectations (they are thread-safe). Not called for
  /// `synced` events. Null → the event's own key.
  std::function<std::vector<std::string>(const protocols::informer_event&)> keys_for;
};

/// How a reconcile loop behaves.
struct reconcile_loop_config {
  /// For logs ("vmi", "vm", "node").
  std::string name;
  std::vector<informer_source> sources;
  sync_function sync;
  /// Syncs in flight at once (KubeVirt's threadiness); at least 1.
  std::size_t workers = 3;
  rate_limit_policy rate_limit;
  /// Where syncs run.
  std::shared_ptr<actors::kube::api_executor> executor;
  /// Writes sync_result::status_changes and the Synchronized condition; null → status
  /// changes are dropped (tests of the queue alone).
  protocols::status_writer_actor status_writer;
  /// Records events; null → none.
  protocols::event_recorder_actor recorder;
  /// The object a key names (from the primary informer's cache), for Warning Events
  /// about failed syncs; null or a null object → no event.
  std::function<protocols::kube_object(const std::string& key)> lookup;
  /// apiVersion and kind of the primary objects (for event references).
  std::string api_version = "kubevirt.io/v1";
  std::string kind;
};

/// Counters, for tests and introspection.
struct reconcile_stats {
  std::uint64_t syncs = 0;
  std::uint64_t failures = 0;
  std::size_t ready = 0;
  std::size_t delayed = 0;
  std::size_t processing = 0;
  bool synced = false;
};

/// The loop's actor interface.
using reconcile_loop_actor = caf::typed_actor<
  /// An informer event from a source (acknowledged at once).
  caf::reacts_to<protocols::informer_event>,
  /// Queues a key by hand (e.g. a timer of the controller, or a test).
  caf::reacts_to<reconcile_enqueue_atom, std::string>,
  /// Counters.
  caf::replies_to<reconcile_stats_atom>::with<reconcile_stats>>;

/// Spawns a loop and subscribes it to its sources.
reconcile_loop_actor spawn_reconcile_loop(caf::actor_system& sys, reconcile_loop_config config);

/// A status change that sets condition `type` (Synchronized) to `status` with reason and
/// message in status.conditions (lastTransitionTime changes only when the status does;
/// nothing changes when all four are equal).
protocols::status_change set_condition(std::string namespace_, std::string name, std::string type, std::string status,
                                       std::string reason, std::string message);
/// A status change that removes condition `type` (no write when absent).
protocols::status_change remove_condition(std::string namespace_, std::string name, std::string type);

/// Splits "namespace/name" (or "name") into its parts.
std::pair<std::string, std::string> split_key(const std::string& key);

} // namespace podvisor::actors::controller

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::controller::reconcile_stats)
