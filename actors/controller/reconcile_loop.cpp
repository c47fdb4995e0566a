#include "actors/controller/reconcile_loop.hpp"

#include <exception>
#include <optional>
#include <set>

#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/system/config.hpp"
#include "kube/api/timestamp.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::controller {

namespace {

/// A sync finished on the executor (internal, node-local).
struct sync_done {
  std::string key;
  sync_result result;
};

} // namespace

} // namespace podvisor::actors::controller

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::controller::sync_done)
CAF_ADD_ATOM(podvisor, podvisor::actors::controller, reconcile_tick_atom, "rec_tick")

namespace podvisor::actors::controller {

namespace {

constexpr const char* synchronized_condition = "Synchronized";

using loop_impl_actor = reconcile_loop_actor::extend<
  /// A sync finished.
  caf::reacts_to<sync_done>,
  /// A delayed key may be due.
  caf::reacts_to<reconcile_tick_atom>>;

/// The work queue's time is the actor clock, so that CAF's test coordinator moves both
/// the queue's delays and the timers that wake the loop for them.
class actor_time final : public podvisor::clock {
public:
  explicit actor_time(const caf::actor_clock& source) : clock_(source) {}
  steady_time now() const override { return clock_.now(); }
  wall_time wall_now() const override { return std::chrono::system_clock::now(); }

private:
  const caf::actor_clock& clock_;
};

struct loop_state {
  static inline const char* name = "reconcile_loop";
  reconcile_loop_config config;
  log::logger log;
  std::unique_ptr<actor_time> time;
  std::unique_ptr<work_queue> queue;
  /// Sources (by actor address) that have not delivered `synced` yet.
  std::set<caf::actor_addr> unsynced;
  std::size_t in_flight = 0;
  /// The earliest wake-up already scheduled.
  std::optional<podvisor::clock::steady_time> armed;
  /// Keys whose last sync failed: their Synchronized=False condition goes on success.
  std::set<std::string> failed_keys;
  reconcile_stats stats;
};

using loop_pointer = loop_impl_actor::stateful_pointer<loop_state>;

void pump(loop_pointer self);

void start_sync(loop_pointer self, std::string key) {
  auto& st = self->state;
  ++st.in_flight;
  auto me = caf::actor_cast<loop_impl_actor>(self);
  st.config.executor->post([sync = st.config.sync, key = std::move(key), me]() mutable {
    sync_result result;
    try {
      result = sync(key);
    } catch (const std::exception& e) {
      result = sync_result::failure("InternalError", std::string{"sync threw: "} + e.what());
    } catch (...) {
      result = sync_result::failure("InternalError", "sync threw");
    }
    caf::anon_send(me, sync_done{std::move(key), std::move(result)});
  });
}

void arm_timer(loop_pointer self) {
  auto& st = self->state;
  auto deadline = st.queue->next_deadline();
  if (!deadline || (st.armed && *st.armed <= *deadline))
    return;
  st.armed = deadline;
  auto delay = *deadline - st.time->now();
  if (delay < caf::timespan::zero())
    delay = caf::timespan::zero();
  self->delayed_send(self, delay, reconcile_tick_atom_v);
}

void pump(loop_pointer self) {
  auto& st = self->state;
  if (!st.stats.synced)
    return;
  while (st.in_flight < st.config.workers) {
    auto key = st.queue->get();
    if (!key)
      break;
    start_sync(self, std::move(*key));
  }
  arm_timer(self);
}

/// The key is finished: retry, forget or requeue it, and take the next one.
void finish(loop_pointer self, const std::string& key, bool failed, std::chrono::nanoseconds requeue_after) {
  auto& st = self->state;
  --st.in_flight;
  if (failed) {
    ++st.stats.failures;
    auto delay = st.queue->add_rate_limited(key);
    st.log.debug("{}: retrying in {} ms", key, std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  } else {
    st.queue->forget(key);
    if (requeue_after > std::chrono::nanoseconds::zero())
      st.queue->add_after(key, requeue_after);
  }
  st.queue->done(key);
  pump(self);
}

void on_sync_done(loop_pointer self, sync_done& done) {
  auto& st = self->state;
  ++st.stats.syncs;
  auto& result = done.result;
  auto [ns, name] = split_key(done.key);
  if (result.failed()) {
    st.log.warn("{}: sync failed: {}: {}", done.key, result.error_reason, result.error_message);
    result.status_changes.push_back(
      set_condition(ns, name, synchronized_condition, "False", result.error_reason, result.error_message));
    st.failed_keys.insert(done.key);
    if (st.config.recorder && st.config.lookup) {
      if (auto object = st.config.lookup(done.key)) {
        protocols::event_record ev;
        ev.involved = protocols::reference_to(object, st.config.api_version, st.config.kind);
        ev.type = "Warning";
        ev.reason = result.error_reason;
        ev.message = result.error_message;
        result.events.push_back(std::move(ev));
      }
    }
  } else if (st.failed_keys.erase(done.key) > 0) {
    result.status_changes.push_back(remove_condition(ns, name, synchronized_condition));
  }
  if (st.config.recorder)
    for (auto& ev : result.events)
      self->send(st.config.recorder, std::move(ev));
  if (!st.config.status_writer || result.status_changes.empty()) {
    finish(self, done.key, result.failed(), result.requeue_after);
    return;
  }
  // Every status change is answered before the key is done; a refused write (other than
  // "the object is gone") counts as a failed sync.
  struct pending {
    std::size_t left;
    bool failed;
    std::chrono::nanoseconds requeue_after;
  };
  auto p = std::make_shared<pending>(pending{result.status_changes.size(), result.failed(), result.requeue_after});
  auto key = done.key;
  for (auto& change : result.status_changes) {
    auto on_reply = [self, p, key] {
      if (--p->left == 0)
        finish(self, key, p->failed, p->requeue_after);
    };
    self->request(st.config.status_writer, caf::infinite, std::move(change))
      .then([on_reply](const protocols::kube_object&) { on_reply(); },
            [self, p, key, on_reply](caf::error& err) {
              auto e = protocols::from_caf_error(self->system(), err);
              if (e.code != errc::not_found) {
                self->state.log.warn("{}: status not written: {}", key, e.to_string());
                p->failed = true;
              }
              on_reply();
            });
  }
}

loop_impl_actor::behavior_type loop_behavior(loop_pointer self, reconcile_loop_config config) {
  auto& st = self->state;
  st.log = make_logger(self, "controller", config.name);
  install_exception_handler(self, st.log);
  if (config.workers == 0)
    config.workers = 1;
  st.config = std::move(config);
  st.time = std::make_unique<actor_time>(self->clock());
  st.queue = std::make_unique<work_queue>(*st.time, st.config.rate_limit);
  auto me = caf::actor_cast<protocols::informer_subscriber_actor>(self);
  for (auto& source : st.config.sources) {
    st.unsynced.insert(source.informer.address());
    self->send(source.informer, protocols::informer_subscribe_atom_v, me, std::uint32_t{0});
  }
  st.stats.synced = st.unsynced.empty();
  return {
    /// Queues the event's keys and acknowledges it at once (the queue holds the state).
    [self](protocols::informer_event& ev) {
      auto& state = self->state;
      auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
      const informer_source* source = nullptr;
      for (const auto& s : state.config.sources)
        if (s.informer.address() == sender)
          source = &s;
      if (source == nullptr)
        return;
      self->send(source->informer, protocols::informer_ack_atom_v,
                 caf::actor_cast<protocols::informer_subscriber_actor>(self), ev.seq);
      if (ev.kind == protocols::informer_event_kind::synced) {
        state.unsynced.erase(sender);
        if (!state.stats.synced && state.unsynced.empty()) {
          state.stats.synced = true;
          state.log.info("caches synced, {} key(s) queued", state.queue->ready());
        }
      } else if (source->keys_for) {
        for (const auto& key : source->keys_for(ev))
          if (!key.empty())
            state.queue->add(key);
      } else if (!ev.key.empty()) {
        state.queue->add(ev.key);
      }
      pump(self);
    },
    [self](reconcile_enqueue_atom, std::string& key) {
      self->state.queue->add(key);
      pump(self);
    },
    [self](reconcile_stats_atom) {
      auto& state = self->state;
      auto stats = state.stats;
      stats.ready = state.queue->ready();
      stats.delayed = state.queue->delayed();
      stats.processing = state.queue->processing();
      return stats;
    },
    [self](sync_done& done) { on_sync_done(self, done); },
    [self](reconcile_tick_atom) {
      self->state.armed.reset();
      pump(self);
    },
  };
}

/// RFC 3339 "now" for condition timestamps, fixed when the change is made so that the
/// change stays deterministic across the status writer's retries.
std::string now_text() {
  return podvisor::kube::api::format_timestamp(podvisor::kube::api::timestamp{std::chrono::system_clock::now()});
}

} // namespace

sync_result sync_result::failure(std::string reason, std::string message) {
  sync_result r;
  r.error_reason = std::move(reason);
  r.error_message = std::move(message);
  return r;
}

reconcile_loop_actor spawn_reconcile_loop(caf::actor_system& sys, reconcile_loop_config config) {
  return sys.spawn(loop_behavior, std::move(config));
}

protocols::status_change set_condition(std::string namespace_, std::string name, std::string type, std::string status,
                                       std::string reason, std::string message) {
  auto fn = [type = std::move(type), status = std::move(status), reason = std::move(reason),
             message = std::move(message), now = now_text()](nlohmann::json& object) -> podvisor::error {
    if (!object.is_object())
      return {errc::invalid_argument, "not an object"};
    auto& conditions = object["status"]["conditions"];
    if (!conditions.is_array())
      conditions = nlohmann::json::array();
    for (auto& c : conditions) {
      if (c.value("type", "") != type)
        continue;
      if (c.value("status", "") != status)
        c["lastTransitionTime"] = now;
      c["status"] = status;
      c["reason"] = reason;
      c["message"] = message;
      return {};
    }
    conditions.push_back({{"type", type},
                          {"status", status},
                          {"reason", reason},
                          {"message", message},
                          {"lastProbeTime", nullptr},
                          {"lastTransitionTime", now}});
    return {};
  };
  protocols::status_change change;
  change.namespace_ = std::move(namespace_);
  change.name = std::move(name);
  change.mutate = std::make_shared<const protocols::status_mutation>(std::move(fn));
  return change;
}

protocols::status_change remove_condition(std::string namespace_, std::string name, std::string type) {
  auto fn = [type = std::move(type)](nlohmann::json& object) -> podvisor::error {
    if (!object.is_object())
      return {errc::invalid_argument, "not an object"};
    auto status = object.find("status");
    if (status == object.end() || !status->is_object())
      return {};
    auto conditions = status->find("conditions");
    if (conditions == status->end() || !conditions->is_array())
      return {};
    auto& list = *conditions;
    for (auto it = list.begin(); it != list.end();) {
      if (it->is_object() && it->value("type", "") == type)
        it = list.erase(it);
      else
        ++it;
    }
    if (list.empty())
      status->erase("conditions");
    return {};
  };
  protocols::status_change change;
  change.namespace_ = std::move(namespace_);
  change.name = std::move(name);
  change.mutate = std::make_shared<const protocols::status_mutation>(std::move(fn));
  return change;
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos)
    return {std::string{}, key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

} // namespace podvisor::actors::controller
