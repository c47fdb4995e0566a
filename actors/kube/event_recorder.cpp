#include "actors/kube/event_recorder.hpp"

#include <algorithm>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/kube/event_builder.hpp"
#include "actors/system/config.hpp"
#include "kube/client/resource.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::kube {

namespace {

/// The outcome of a create or patch (internal).
struct event_write_done {
  std::string key;
  /// The Event written (an entry re-created under another name ignores older answers).
  std::string name;
  caf::error error;
  bool was_create = false;
};

} // namespace

} // namespace podvisor::actors::kube

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::kube::event_write_done)

namespace podvisor::actors::kube {

namespace {

using podvisor::kube::client::api_client;
using podvisor::kube::client::patch_type;
using protocols::event_record;

using event_recorder_impl_actor = protocols::event_recorder_actor::extend<
  /// A create or patch finished.
  caf::reacts_to<event_write_done>>;

struct aggregate {
  event_record record;
  std::string namespace_;
  std::string name;
  std::int64_t count = 0;
  std::chrono::system_clock::time_point first_timestamp;
  std::chrono::system_clock::time_point last_timestamp;
  podvisor::clock::steady_time last_seen;
  bool in_flight = false;
  /// Repeats arrived while a write was in flight.
  bool dirty = false;
};

struct event_recorder_state {
  static inline const char* name = "event_recorder";
  event_recorder_config config;
  std::shared_ptr<api_client> client;
  std::shared_ptr<api_executor> executor;
  log::logger log;
  std::unordered_map<std::string, aggregate> aggregates;
  std::uint64_t last_suffix = 0;
};

using recorder_pointer = event_recorder_impl_actor::stateful_pointer<event_recorder_state>;

const podvisor::clock& clock_of(recorder_pointer self) {
  const auto* c = self->state.config.clock;
  return c != nullptr ? *c : podvisor::real_clock::instance();
}

/// A fresh name; the suffix grows strictly, so names differ even when the clock has not
/// moved (a manual clock, or two events within a nanosecond).
std::string next_name(recorder_pointer self, const std::string& object_name) {
  auto now = clock_of(self).wall_now().time_since_epoch();
  auto nanos = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  auto& last = self->state.last_suffix;
  last = std::max(nanos, last + 1);
  return event_name(object_name, last);
}

void post_write(recorder_pointer self, const std::string& key, aggregate& agg, bool create) {
  auto& st = self->state;
  agg.in_flight = true;
  agg.dirty = false;
  auto me = caf::actor_cast<event_recorder_impl_actor>(self);
  nlohmann::json body = create ? make_event(agg.record, agg.name, {st.config.component, st.config.host}, agg.count,
                                            agg.first_timestamp, agg.last_timestamp)
                               : count_patch(agg.count, agg.last_timestamp);
  st.executor->post([client = st.client, ns = agg.namespace_, name = agg.name, key, create, me,
                     body = std::move(body)] {
    auto events = podvisor::kube::client::resources::events();
    auto result = create ? client->create(events, ns, body) : client->patch(events, ns, name, patch_type::merge, body);
    event_write_done done{key, name, {}, create};
    if (!result)
      done.error = protocols::to_caf_error(result.error());
    caf::anon_send(me, std::move(done));
  });
}

/// Keeps the number of tracked keys bounded: expired keys first, then the least recently
/// seen ones that have no write in flight.
void evict(recorder_pointer self) {
  auto& st = self->state;
  if (st.aggregates.size() <= st.config.max_tracked)
    return;
  auto now = clock_of(self).now();
  std::erase_if(st.aggregates, [&](const auto& entry) {
    return !entry.second.in_flight && now - entry.second.last_seen > st.config.aggregation_window;
  });
  while (st.aggregates.size() > st.config.max_tracked) {
    auto oldest = st.aggregates.end();
    for (auto it = st.aggregates.begin(); it != st.aggregates.end(); ++it)
      if (!it->second.in_flight && (oldest == st.aggregates.end() || it->second.last_seen < oldest->second.last_seen))
        oldest = it;
    if (oldest == st.aggregates.end())
      return;
    st.aggregates.erase(oldest);
  }
}

void record(recorder_pointer self, event_record& rec) {
  auto& st = self->state;
  const auto& clk = clock_of(self);
  auto key = aggregation_key(rec);
  auto now = clk.now();
  auto wall = clk.wall_now();
  auto it = st.aggregates.find(key);
  if (it != st.aggregates.end() && now - it->second.last_seen <= st.config.aggregation_window) {
    auto& agg = it->second;
    ++agg.count;
    agg.last_seen = now;
    agg.last_timestamp = wall;
    if (agg.in_flight)
      agg.dirty = true;
    else
      post_write(self, key, agg, false);
    return;
  }
  aggregate agg;
  agg.namespace_ = event_namespace(rec.involved);
  agg.name = next_name(self, rec.involved.name);
  agg.record = std::move(rec);
  agg.count = 1;
  agg.first_timestamp = wall;
  agg.last_timestamp = wall;
  agg.last_seen = now;
  auto& stored = st.aggregates.insert_or_assign(key, std::move(agg)).first->second;
  post_write(self, key, stored, true);
  evict(self);
}

void on_write_done(recorder_pointer self, const event_write_done& done) {
  auto& st = self->state;
  auto it = st.aggregates.find(done.key);
  if (it == st.aggregates.end() || it->second.name != done.name)
    return;
  auto& agg = it->second;
  agg.in_flight = false;
  if (done.error) {
    auto err = protocols::from_caf_error(self->system(), done.error);
    if (!done.was_create && err.code == errc::not_found) {
      // The Event expired or was deleted: start a new one that carries the count so far.
      agg.name = next_name(self, agg.record.involved.name);
      post_write(self, done.key, agg, true);
      return;
    }
    st.log.warn("event {}/{} ({}) not {}: {}", agg.namespace_, done.name, agg.record.reason,
                done.was_create ? "created" : "updated", err.to_string());
    st.aggregates.erase(it);
    return;
  }
  if (agg.dirty)
    post_write(self, done.key, agg, false);
}

event_recorder_impl_actor::behavior_type event_recorder_behavior(recorder_pointer self, event_recorder_config config,
                                                                 std::shared_ptr<api_client> client,
                                                                 std::shared_ptr<api_executor> executor) {
  auto& st = self->state;
  st.log = make_logger(self, "kube", "event-recorder " + config.component);
  install_exception_handler(self, st.log);
  st.config = std::move(config);
  st.client = std::move(client);
  st.executor = std::move(executor);
  return {
    /// Creates an Event or counts a repeat.
    [self](event_record& rec) { record(self, rec); },
    /// A write finished: patch again if repeats came meanwhile, re-create if it vanished.
    [self](const event_write_done& done) { on_write_done(self, done); },
  };
}

} // namespace

protocols::event_recorder_actor spawn_event_recorder(caf::actor_system& sys, event_recorder_config config,
                                                     std::shared_ptr<api_client> client,
                                                     std::shared_ptr<api_executor> executor) {
  return sys.spawn(event_recorder_behavior, std::move(config), std::move(client), std::move(executor));
}

} // namespace podvisor::actors::kube
