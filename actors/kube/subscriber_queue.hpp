#pragma once
// The events an informer owes one subscriber, coalesced by key: what keeps a slow
// subscriber from slowing the informer or making it buffer without bound. Plain C++, so
// that the coalescing rules are tested case by case without actors.
//
// How delivery works. The informer sends a subscriber at most `window` events that it has
// not acknowledged yet. Every further change goes into this queue, which holds at most
// one entry per key (plus the synced marker), so its size is bounded by the number of
// cached objects however fast they change. When the subscriber acknowledges, the
// informer pops entries from the front and sends them.
//
// What a subscriber is guaranteed to see:
//   1. Per key, events come in the order the informer saw the changes, and each one
//      continues from the previous one: updated(old, new) has `old` == the object this
//      subscriber was last given for the key, added comes only for a key it does not
//      have, deleted only for one it has. Replaying the events onto an empty map gives,
//      for every key at every moment, a state the informer's cache actually had.
//   2. Intermediate states may be skipped (coalesced), but only while a key's entry waits
//      in this queue, that is, while the window is full. A subscriber that keeps up
//      sees every change the informer sees, one event per change.
//   3. A deletion is never hidden: an object deleted and re-created under the same key
//      while queued is delivered as deleted(final state of the old one) followed by
//      added(new one); an object added and deleted while queued is not delivered at all
//      (the subscriber never had it).
//   4. Across keys, events leave in the order of their latest change, which is
//      resourceVersion order (watch events come in that order; a relist's differences
//      are applied by resourceVersion, its deletions last): a coalesced entry moves to
//      the back of the queue when it changes again. The price: a key that changes
//      faster than the subscriber drains its queue is delivered late, never out of
//      order. (Resync entries carry no change and are ordered by when the resync
//      happened.)
//   5. `synced` comes after every object of the first full list (it is queued behind
//      them), and exactly once per subscription.
//   6. After quiescence (no changes, every event acknowledged) the replayed map equals
//      the informer's cache.
// A deleted+added pair may take the window one event past its size.

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocols/informer.hpp"
#include "protocols/kube_object.hpp"

namespace podvisor::actors::kube {

/// One subscriber's pending events.
class subscriber_queue {
public:
  /// The cache changed `key` from `before` (null: absent) to `after` (null: deleted, with
  /// `final_state` the object's final state and `final_state_unknown` when that state is
  /// only the last one seen).
  void push_change(const std::string& key, const protocols::kube_object& before, const protocols::kube_object& after,
                   const protocols::kube_object& final_state = {}, bool final_state_unknown = false);

  /// A resync of `current` (the cached object): delivered as updated(current, current)
  /// with resync = true, unless the key has an entry already (which delivers the current
  /// state anyway).
  void push_resync(const std::string& key, const protocols::kube_object& current);

  /// The synced marker, behind everything queued so far.
  void push_synced();

  /// Removes the front entry and appends its events (one, or two for a re-created
  /// object) to `out`, without sequence numbers. Returns false when the queue is empty.
  bool pop(std::vector<protocols::informer_event>& out);

  /// Entries queued (keys plus the marker).
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear();

private:
  struct entry {
    std::string key;           ///< empty for the synced marker
    bool synced_marker = false;
    protocols::kube_object seen;      ///< what the subscriber has for the key (null: nothing)
    protocols::kube_object tombstone; ///< `seen` was deleted; its final state
    bool tombstone_unknown = false;
    protocols::kube_object current;   ///< the latest state (null: deleted)
    bool resync = false;
  };

  std::list<entry> entries_;
  std::unordered_map<std::string, std::list<entry>::iterator> by_key_;
};

} // namespace podvisor::actors::kube
