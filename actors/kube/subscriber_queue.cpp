#include "actors/kube/subscriber_queue.hpp"

namespace podvisor::actors::kube {

using protocols::informer_event;
using protocols::informer_event_kind;
using protocols::kube_object;

void subscriber_queue::push_change(const std::string& key, const kube_object& before, const kube_object& after,
                                   const kube_object& final_state, bool final_state_unknown) {
  const kube_object& final_or_before = final_state ? final_state : before;
  auto found = by_key_.find(key);
  if (found == by_key_.end()) {
    // Nothing pending: the subscriber has been given (or is being given) `before`.
    if (!before && !after)
      return;
    entry e;
    e.key = key;
    e.seen = before;
    if (after) {
      e.current = after;
    } else {
      e.tombstone = final_or_before;
      e.tombstone_unknown = final_state_unknown;
    }
    entries_.push_back(std::move(e));
    by_key_.emplace(key, std::prev(entries_.end()));
    return;
  }

  auto it = found->second;
  it->resync = false;
  if (after) {
    it->current = after;
  } else {
    if (!it->seen) {
      // Added and deleted before the subscriber heard of it: nothing to tell.
      by_key_.erase(found);
      entries_.erase(it);
      return;
    }
    if (!it->tombstone) {
      // The first deletion of what the subscriber has is the one it must see; a later
      // re-creation and deletion concern an object it never had.
      it->tombstone = final_or_before;
      it->tombstone_unknown = final_state_unknown;
    }
    it->current = {};
  }
  // The entry now carries the newest change: keep the queue in the order of changes.
  entries_.splice(entries_.end(), entries_, it);
}

void subscriber_queue::push_resync(const std::string& key, const kube_object& current) {
  if (!current || by_key_.find(key) != by_key_.end())
    return;
  entry e;
  e.key = key;
  e.seen = current;
  e.current = current;
  e.resync = true;
  entries_.push_back(std::move(e));
  by_key_.emplace(key, std::prev(entries_.end()));
}

void subscriber_queue::push_synced() {
  entry e;
  e.synced_marker = true;
  entries_.push_back(std::move(e));
}

bool subscriber_queue::pop(std::vector<informer_event>& out) {
  if (entries_.empty())
    return false;
  entry e = std::move(entries_.front());
  entries_.pop_front();
  if (e.synced_marker) {
    informer_event ev;
    ev.kind = informer_event_kind::synced;
    out.push_back(std::move(ev));
    return true;
  }
  by_key_.erase(e.key);

  auto make = [&](informer_event_kind kind, kube_object object, kube_object old_object) {
    informer_event ev;
    ev.kind = kind;
    ev.key = e.key;
    ev.object = std::move(object);
    ev.old_object = std::move(old_object);
    return ev;
  };
  if (!e.seen) {
    if (e.current)
      out.push_back(make(informer_event_kind::added, e.current, {}));
  } else if (e.tombstone) {
    auto deleted = make(informer_event_kind::deleted, e.tombstone, {});
    deleted.final_state_unknown = e.tombstone_unknown;
    out.push_back(std::move(deleted));
    if (e.current)
      out.push_back(make(informer_event_kind::added, e.current, {}));
  } else if (e.current) {
    auto updated = make(informer_event_kind::updated, e.current, e.seen);
    updated.resync = e.resync;
    out.push_back(std::move(updated));
  }
  return true;
}

void subscriber_queue::clear() {
  entries_.clear();
  by_key_.clear();
}

} // namespace podvisor::actors::kube
