#include "actors/kube/informer.hpp"

#include <algorithm>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/kube/relist_diff.hpp"
#include "actors/kube/subscriber_queue.hpp"
#include "actors/system/config.hpp"
#include "protocols/error.hpp"

// Timers of the informer (internal: not part of protocols::informer_actor).
CAF_ADD_ATOM(podvisor, podvisor::actors::kube, informer_retry_atom, "inf_retry")
CAF_ADD_ATOM(podvisor, podvisor::actors::kube, informer_resync_atom, "inf_resync")

namespace podvisor::actors::kube {

namespace {

using protocols::informer_event;
using protocols::informer_subscriber_actor;
using protocols::kube_object;
using protocols::kube_watch_event;

/// The informer's full interface: the public one plus its timers.
using informer_impl_actor = protocols::informer_actor::extend<
  /// WAITING is over: relist (true) or re-watch from the last RV (false), if the
  /// generation is still current.
  caf::reacts_to<informer_retry_atom, std::uint64_t, bool>,
  /// The resync period elapsed.
  caf::reacts_to<informer_resync_atom>>;

struct subscriber_state {
  informer_subscriber_actor handle;
  subscriber_queue queue;
  std::uint64_t sent = 0;  ///< last seq sent
  std::uint64_t acked = 0; ///< last seq acknowledged
  std::uint32_t window = 1;
};

enum class phase { listing, watching, waiting };

struct informer_state {
  static inline const char* name = "informer";

  informer_config config;
  std::shared_ptr<informer_cache> cache;
  std::unique_ptr<reflector_source> source;
  log::logger log;
  phase current = phase::listing;
  std::uint64_t generation = 0;
  std::string last_rv;
  bool progress = false; ///< the running watch delivered something
  std::optional<podvisor::backoff> retry_backoff;
  std::unordered_map<caf::actor_addr, subscriber_state> subscribers;
  protocols::informer_stats stats;
};

using informer_pointer = informer_impl_actor::stateful_pointer<informer_state>;

// -- delivery ----------------------------------------------------------------------------

/// Sends queued events while the subscriber's window has room.
void flush(informer_pointer self, subscriber_state& sub) {
  std::vector<informer_event> events;
  while (sub.sent - sub.acked < sub.window && sub.queue.pop(events)) {
    for (auto& ev : events) {
      ev.seq = ++sub.sent;
      self->send(sub.handle, std::move(ev));
    }
    events.clear();
  }
}

/// Applies one change to the cache and queues it for every subscriber.
void apply_change(informer_pointer self, const object_change& change, const kube_object& final_state = {}) {
  auto& st = self->state;
  if (change.new_object)
    st.cache->upsert(change.key, change.new_object);
  else
    st.cache->remove(change.key);
  for (auto& [addr, sub] : st.subscribers) {
    sub.queue.push_change(change.key, change.old_object, change.new_object, final_state, change.final_state_unknown);
    flush(self, sub);
  }
}

/// Queues every cached object for `sub` as added, in resourceVersion order.
void replay_cache(informer_pointer self, subscriber_state& sub) {
  std::vector<std::pair<std::string, kube_object>> objects(self->state.cache->objects_for_writer().begin(),
                                                           self->state.cache->objects_for_writer().end());
  std::sort(objects.begin(), objects.end(), [](const auto& a, const auto& b) {
    return resource_version_less(a.second.resource_version(), b.second.resource_version());
  });
  for (const auto& [key, object] : objects)
    sub.queue.push_change(key, {}, object);
}

// -- list / watch cycle ------------------------------------------------------------------

void start_list(informer_pointer self) {
  auto& st = self->state;
  st.current = phase::listing;
  st.source->list(++st.generation);
}

void start_watch(informer_pointer self) {
  auto& st = self->state;
  st.current = phase::watching;
  st.progress = false;
  ++st.stats.watches;
  st.source->watch(++st.generation, st.last_rv);
}

/// WAITING: relist or re-watch after the next backoff delay.
void retry_later(informer_pointer self, bool relist) {
  auto& st = self->state;
  st.current = phase::waiting;
  auto delay = st.retry_backoff->next();
  st.log.debug("{} in {} ms", relist ? "relist" : "re-watch",
               std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  self->delayed_send(self, delay, informer_retry_atom_v, ++st.generation, relist);
}

void set_resource_version(informer_pointer self, std::string rv) {
  if (rv.empty())
    return;
  self->state.last_rv = rv;
  self->state.cache->set_resource_version(std::move(rv));
}

/// The object through the configured transform (a copy: kube_objects are immutable).
/// Only sources other than the real one leave the transform to the informer.
kube_object transformed(informer_pointer self, const kube_object& object) {
  const auto& transform = self->state.config.transform;
  if (!transform || !object)
    return object;
  nlohmann::json copy = *object;
  bool ok = apply_transform(transform, copy);
  kube_object result{std::move(copy)};
  if (!ok)
    self->state.log.warn("the cache transform threw on {}: cached as far as it got", result.key());
  return result;
}

void on_list(informer_pointer self, protocols::informer_list_result& result) {
  auto& st = self->state;
  if (result.generation != st.generation || st.current != phase::listing)
    return;
  if (result.error) {
    st.log.warn("list failed: {}", protocols::from_caf_error(self->system(), result.error).to_string());
    retry_later(self, true);
    return;
  }
  for (auto& item : result.items)
    item = transformed(self, item);
  auto changes = relist_diff(st.cache->objects_for_writer(), result.items);
  for (const auto& change : changes)
    apply_change(self, change);
  ++st.stats.lists;
  set_resource_version(self, std::move(result.resource_version));
  if (!st.cache->synced()) {
    st.cache->set_synced();
    st.stats.synced = true;
    for (auto& [addr, sub] : st.subscribers) {
      sub.queue.push_synced();
      flush(self, sub);
    }
    st.log.info("synced: {} objects at resourceVersion {}", st.cache->size(), st.last_rv);
  } else {
    st.log.info("relisted: {} differences, {} objects at resourceVersion {}", changes.size(), st.cache->size(),
                st.last_rv);
  }
  start_watch(self);
}

void on_watch_event(informer_pointer self, kube_watch_event& event) {
  auto& st = self->state;
  const kube_object& object = event.object;
  if (!object)
    return;
  std::string rv{object.resource_version()};
  if (event.type == kube_watch_event::kind::bookmark) {
    set_resource_version(self, std::move(rv));
    return;
  }
  event.object = transformed(self, event.object);
  auto key = object.key();
  auto cached = st.cache->get(key);
  if (event.type == kube_watch_event::kind::deleted) {
    if (cached)
      apply_change(self, {key, cached, {}, false}, object);
  } else if (!cached || cached.resource_version() != rv) {
    // Same resourceVersion → the state is already cached (a duplicate after a
    // re-watch): delivering it again would be a duplicate event.
    apply_change(self, {key, cached, object, false});
  }
  ++st.stats.events;
  set_resource_version(self, std::move(rv));
}

void on_watch_batch(informer_pointer self, protocols::informer_watch_batch& batch) {
  auto& st = self->state;
  st.source->consumed(batch.events.size());
  if (batch.generation != st.generation || st.current != phase::watching)
    return;
  if (!batch.events.empty() && !st.progress) {
    st.progress = true;
    st.retry_backoff->reset();
  }
  for (auto& event : batch.events)
    on_watch_event(self, event);
}

void on_watch_ended(informer_pointer self, const protocols::informer_watch_ended& ended) {
  auto& st = self->state;
  if (ended.generation != st.generation || st.current != phase::watching)
    return;
  auto err = protocols::from_caf_error(self->system(), ended.error);
  if (err.ok()) {
    if (st.progress) {
      start_watch(self);
    } else {
      retry_later(self, false);
    }
    return;
  }
  if (err.code == errc::gone) {
    st.log.info("watch from resourceVersion {} expired (410): relisting", st.last_rv);
    if (st.progress)
      start_list(self);
    else
      retry_later(self, true);
    return;
  }
  st.log.warn("watch broke: {}", err.to_string());
  retry_later(self, true);
}

// -- subscribers -------------------------------------------------------------------------

void subscribe(informer_pointer self, informer_subscriber_actor handle, std::uint32_t window) {
  auto& st = self->state;
  if (!handle)
    return;
  auto addr = handle.address();
  auto [it, inserted] = st.subscribers.try_emplace(addr);
  auto& sub = it->second;
  if (inserted)
    self->monitor(handle);
  // A re-subscription starts over: the subscriber's own numbering restarts at 1.
  sub = subscriber_state{};
  sub.handle = std::move(handle);
  sub.window = window > 0 ? window : std::max<std::uint32_t>(st.config.subscriber_window, 1);
  replay_cache(self, sub);
  if (st.cache->synced())
    sub.queue.push_synced();
  st.stats.subscribers = st.subscribers.size();
  flush(self, sub);
}

void resync(informer_pointer self) {
  auto& st = self->state;
  if (st.cache->synced()) {
    for (auto& [addr, sub] : st.subscribers) {
      for (const auto& [key, object] : st.cache->objects_for_writer())
        sub.queue.push_resync(key, object);
      flush(self, sub);
    }
  }
  self->delayed_send(self, st.config.resync_period, informer_resync_atom_v);
}

std::string describe_scope(const informer_config& config) {
  std::string name = config.name.empty() ? config.resource.plural : config.name;
  if (!config.namespace_.empty())
    name += " ns=" + config.namespace_;
  if (!config.label_selector.empty())
    name += " labels=" + config.label_selector;
  if (!config.field_selector.empty())
    name += " fields=" + config.field_selector;
  return name;
}

informer_impl_actor::behavior_type informer_behavior(informer_pointer self, informer_config config,
                                                     std::shared_ptr<informer_cache> cache,
                                                     reflector_source_factory make_source) {
  auto& st = self->state;
  st.log = make_logger(self, "kube", "informer " + describe_scope(config));
  install_exception_handler(self, st.log);
  st.retry_backoff.emplace(config.backoff, config.backoff_seed != 0 ? config.backoff_seed : std::random_device{}());
  st.config = std::move(config);
  st.cache = std::move(cache);
  st.source = make_source(caf::actor_cast<protocols::informer_actor>(self));
  self->set_down_handler([self](const caf::down_msg& msg) {
    self->state.subscribers.erase(msg.source);
    self->state.stats.subscribers = self->state.subscribers.size();
  });
  if (st.config.resync_period.count() > 0)
    self->delayed_send(self, st.config.resync_period, informer_resync_atom_v);
  start_list(self);
  return {
    /// Subscribes (or starts over): replay, then synced if synced, then changes.
    [self](protocols::informer_subscribe_atom, informer_subscriber_actor& sub, std::uint32_t window) {
      subscribe(self, std::move(sub), window);
    },
    /// Forgets the subscriber and whatever was queued for it.
    [self](protocols::informer_unsubscribe_atom, const informer_subscriber_actor& sub) {
      if (self->state.subscribers.erase(sub.address()) > 0)
        self->demonitor(sub.address());
      self->state.stats.subscribers = self->state.subscribers.size();
    },
    /// Opens the subscriber's window up to `seq` and sends what fits.
    [self](protocols::informer_ack_atom, const informer_subscriber_actor& sub, std::uint64_t seq) {
      auto it = self->state.subscribers.find(sub.address());
      if (it == self->state.subscribers.end())
        return;
      auto& state = it->second;
      state.acked = std::clamp(seq, state.acked, state.sent);
      flush(self, state);
    },
    /// One cached object (null when absent).
    [self](protocols::informer_get_atom, const std::string& key) -> kube_object {
      return self->state.cache->get(key);
    },
    /// Cached objects by index value.
    [self](protocols::informer_index_atom, const std::string& index,
           const std::string& value) -> caf::result<std::vector<kube_object>> {
      if (!self->state.cache->has_index(index))
        return make_error(errc::invalid_argument, "no index " + index);
      return self->state.cache->by_index(index, value);
    },
    /// Counters and state.
    [self](protocols::informer_stats_atom) {
      auto stats = self->state.stats;
      stats.resource_version = self->state.last_rv;
      stats.objects = self->state.cache->size();
      return stats;
    },
    /// LISTING → apply the differences, synced the first time, WATCHING.
    [self](protocols::informer_list_result& result) { on_list(self, result); },
    /// WATCHING: apply events in order.
    [self](protocols::informer_watch_batch& batch) { on_watch_batch(self, batch); },
    /// WATCHING → re-watch, relist, or WAITING.
    [self](const protocols::informer_watch_ended& ended) { on_watch_ended(self, ended); },
    /// WAITING → LISTING or WATCHING, unless the generation moved on.
    [self](informer_retry_atom, std::uint64_t generation, bool relist) {
      auto& state = self->state;
      if (generation != state.generation || state.current != phase::waiting)
        return;
      if (relist)
        start_list(self);
      else
        start_watch(self);
    },
    /// Re-delivers the cache and re-arms the timer.
    [self](informer_resync_atom) { resync(self); },
  };
}

} // namespace

informer_handle spawn_informer(caf::actor_system& sys, informer_config config, reflector_source_factory make_source) {
  auto cache = std::make_shared<informer_cache>(config.indexes);
  auto actor = sys.spawn(informer_behavior, std::move(config), cache, std::move(make_source));
  return {protocols::informer_actor{actor}, std::move(cache)};
}

informer_handle spawn_informer(caf::actor_system& sys, informer_config config,
                               std::shared_ptr<podvisor::kube::client::api_client> client) {
  api_source_options options;
  // The source transforms in place on its thread; the informer then has nothing to do.
  options.transform = std::move(config.transform);
  config.transform = nullptr;
  options.resource = config.resource;
  options.namespace_ = config.namespace_;
  options.label_selector = config.label_selector;
  options.field_selector = config.field_selector;
  options.list_page_size = config.list_page_size;
  options.watch_timeout_seconds = config.watch_timeout_seconds;
  options.max_unprocessed_events = config.max_unprocessed_events;
  auto source = api_reflector_source(sys, std::move(client), std::move(options));
  return spawn_informer(sys, std::move(config), std::move(source));
}

} // namespace podvisor::actors::kube
