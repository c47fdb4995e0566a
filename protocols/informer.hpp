#pragma once
// The informer protocol (the kube bridge's read side, actors/kube/informer.hpp): one
// informer per watched resource and scope lists, watches, keeps a cache, and delivers
// typed events to subscribers; a reflector source feeds it list results and watch events.
//
// Delivery to subscribers is credit-based. The informer numbers each subscriber's events
// (seq 1, 2, ...) and keeps at most `window` of them unacknowledged; a subscriber
// acknowledges cumulatively with (informer_ack_atom, itself, seq) when it has taken an
// event (typically after putting its key on a work queue). Changes that arrive while the
// window is full wait in a per-subscriber queue where they are coalesced by object key.
// What a subscriber is guaranteed to see is spelled out in actors/kube/subscriber_queue.hpp.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "protocols/kube_object.hpp"

// Atoms (at most 10 characters). Identifiers carry the protocol's name so that they
// cannot collide with other protocols' atoms in one translation unit.
CAF_ADD_ATOM(podvisor, podvisor::protocols, informer_subscribe_atom, "inf_sub")
CAF_ADD_ATOM(podvisor, podvisor::protocols, informer_unsubscribe_atom, "inf_unsub")
CAF_ADD_ATOM(podvisor, podvisor::protocols, informer_ack_atom, "inf_ack")
CAF_ADD_ATOM(podvisor, podvisor::protocols, informer_get_atom, "inf_get")
CAF_ADD_ATOM(podvisor, podvisor::protocols, informer_index_atom, "inf_index")
CAF_ADD_ATOM(podvisor, podvisor::protocols, informer_stats_atom, "inf_stats")

namespace podvisor::protocols {

/// One event of a watch stream as the reflector source passes it on (ERROR events are
/// not passed: they end the stream, see informer_watch_ended).
struct kube_watch_event {
  enum class kind : std::uint8_t { added, modified, deleted, bookmark };
  kind type = kind::added;
  /// The object; for a bookmark only metadata.resourceVersion is meaningful.
  kube_object object;
};

/// "added", "modified", "deleted", "bookmark".
std::string to_string(kube_watch_event::kind k);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kube_watch_event& x) {
  return f(caf::meta::type_name("podvisor::protocols::kube_watch_event"), x.type, x.object);
}

/// The answer to a list the informer asked its source for.
struct informer_list_result {
  /// The informer's request number; answers to older requests are ignored.
  std::uint64_t generation = 0;
  /// Empty on success; otherwise a podvisor error (protocols/error.hpp).
  caf::error error;
  /// Every object of the collection (all pages), when successful.
  std::vector<kube_object> items;
  /// The list's resourceVersion: where the following watch starts.
  std::string resource_version;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, informer_list_result& x) {
  return f(caf::meta::type_name("podvisor::protocols::informer_list_result"), x.generation, x.error, x.items,
           x.resource_version);
}

/// Events of the running watch, in stream order.
struct informer_watch_batch {
  std::uint64_t generation = 0;
  std::vector<kube_watch_event> events;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, informer_watch_batch& x) {
  return f(caf::meta::type_name("podvisor::protocols::informer_watch_batch"), x.generation, x.events);
}

/// The end of the running watch: an empty error for a clean end (the server closed the
/// stream, e.g. timeoutSeconds), errc::gone for an expired resourceVersion (410), other
/// codes for a broken stream.
struct informer_watch_ended {
  std::uint64_t generation = 0;
  caf::error error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, informer_watch_ended& x) {
  return f(caf::meta::type_name("podvisor::protocols::informer_watch_ended"), x.generation, x.error);
}

/// What an informer event reports.
enum class informer_event_kind : std::uint8_t {
  added,   ///< `object` is new to this subscriber
  updated, ///< `old_object` → `object`
  deleted, ///< `object` is the final state (see final_state_unknown)
  synced,  ///< every object of the first full list has been delivered before this event
};

/// "added", "updated", "deleted", "synced".
std::string to_string(informer_event_kind k);

/// An event delivered to a subscriber.
struct informer_event {
  /// Per-subscriber sequence number, from 1; acknowledge it (cumulatively).
  std::uint64_t seq = 0;
  informer_event_kind kind = informer_event_kind::added;
  /// "namespace/name" (or "name"); empty for synced.
  std::string key;
  /// The new state (added, updated), the final state (deleted); null for synced.
  kube_object object;
  /// updated: the state this subscriber was last given for the key (== object for a
  /// resync); null otherwise.
  kube_object old_object;
  /// updated: re-delivered by the resync period, nothing changed.
  bool resync = false;
  /// deleted: noticed by a relist, not by a watch event; `object` is the last state the
  /// informer saw, not necessarily the state at deletion (client-go's
  /// DeletedFinalStateUnknown).
  bool final_state_unknown = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, informer_event& x) {
  return f(caf::meta::type_name("podvisor::protocols::informer_event"), x.seq, x.kind, x.key, x.object,
           x.old_object, x.resync, x.final_state_unknown);
}

/// Counters and state of an informer, for tests, benchmarks and introspection.
struct informer_stats {
  bool synced = false;
  /// The resourceVersion the informer has seen up to (list, event or bookmark).
  std::string resource_version;
  std::uint64_t objects = 0;
  /// Lists completed (the first one and every relist).
  std::uint64_t lists = 0;
  /// Watches started.
  std::uint64_t watches = 0;
  /// Watch events received for the current generations (bookmarks not counted;
  /// duplicates that were not delivered again are).
  std::uint64_t events = 0;
  std::uint64_t subscribers = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, informer_stats& x) {
  return f(caf::meta::type_name("podvisor::protocols::informer_stats"), x.synced, x.resource_version, x.objects,
           x.lists, x.watches, x.events, x.subscribers);
}

/// The subscriber interface: whoever subscribes to an informer handles its events.
using informer_subscriber_actor = caf::typed_actor<
  /// An event; acknowledge it with (informer_ack_atom, self, event.seq) to the informer.
  caf::reacts_to<informer_event>>;

/// The informer actor interface.
using informer_actor = caf::typed_actor<
  /// Subscribes (or re-subscribes, starting over) with a window of at most `window`
  /// unacknowledged events (0 → the informer's default). The subscriber first receives
  /// every cached object as added, then synced if the informer has synced, then changes.
  /// The informer monitors the subscriber and drops it when it terminates.
  caf::reacts_to<informer_subscribe_atom, informer_subscriber_actor, std::uint32_t>,
  /// Stops delivery to the subscriber; its queued events are dropped.
  caf::reacts_to<informer_unsubscribe_atom, informer_subscriber_actor>,
  /// Acknowledges every event up to and including `seq` for that subscriber.
  caf::reacts_to<informer_ack_atom, informer_subscriber_actor, std::uint64_t>,
  /// The cached object with this key, or the null object when there is none.
  caf::replies_to<informer_get_atom, std::string>::with<kube_object>,
  /// The cached objects whose index `index` (e.g. "namespace", "node") has the value,
  /// sorted by key; invalid_argument for an unknown index.
  caf::replies_to<informer_index_atom, std::string, std::string>::with<std::vector<kube_object>>,
  /// Counters and state.
  caf::replies_to<informer_stats_atom>::with<informer_stats>,
  /// From the reflector source: the answer to a list.
  caf::reacts_to<informer_list_result>,
  /// From the reflector source: events of the running watch.
  caf::reacts_to<informer_watch_batch>,
  /// From the reflector source: the running watch ended.
  caf::reacts_to<informer_watch_ended>>;

} // namespace podvisor::protocols
