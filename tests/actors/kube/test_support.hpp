#pragma once
// Shared pieces of the kube bridge's actor tests: a deterministic actor system (CAF's
// test coordinator), a subscriber that records what it receives, a reflector source that
// records what the informer asks for, and small object builders.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/kube/reflector_source.hpp"
#include "actors/system/config.hpp"
#include "protocols/informer.hpp"
#include "protocols/kube_object.hpp"

namespace podvisor::test {

/// Actors a test spawned, stopped when the test ends: an actor system does not shut
/// down while an actor lives (and a pending timer keeps one alive).
class actor_reaper {
public:
  /// Remembers `handle` for `stop_all`; returns it.
  template <class Handle>
  Handle keep(Handle handle) {
    actors_.push_back(caf::actor_cast<caf::actor>(handle));
    return handle;
  }

  /// Sends every remembered actor an exit message.
  void stop_all() {
    for (auto& a : actors_)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    actors_.clear();
  }

private:
  std::vector<caf::actor> actors_;
};

/// An actor system whose scheduler runs only when the test says so.
struct deterministic_system : actor_reaper {
  static actors::system_config& testing(actors::system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return cfg;
  }

  actors::system_config system_cfg;
  caf::actor_system sys{testing(system_cfg)};
  caf::scheduler::test_coordinator& sched{dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())};

  deterministic_system() = default;
  deterministic_system(const deterministic_system&) = delete;
  deterministic_system& operator=(const deterministic_system&) = delete;
  ~deterministic_system() {
    stop_all();
    sched.run();
  }

  /// Runs every runnable job.
  void run() { sched.run(); }
  /// Moves the actor clock forward, fires due timers and runs what they trigger.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }
};

/// A real multi-threaded actor system for tests with real threads (detached helpers).
struct threaded_system : actor_reaper {
  static actors::system_config& two_threads(actors::system_config& cfg) {
    cfg.set_scheduler_threads(2);
    return cfg;
  }

  actors::system_config system_cfg;
  caf::actor_system sys{two_threads(system_cfg)};

  threaded_system() = default;
  threaded_system(const threaded_system&) = delete;
  threaded_system& operator=(const threaded_system&) = delete;
  ~threaded_system() { stop_all(); }
};

/// What a recording subscriber saw. Thread-safe (real-scheduler tests read it while the
/// informer runs).
class event_log {
public:
  void add(const protocols::informer_event& ev) {
    std::lock_guard lock{mutex_};
    events_.push_back(ev);
    changed_.notify_all();
  }

  std::vector<protocols::informer_event> events() const {
    std::lock_guard lock{mutex_};
    return events_;
  }

  std::size_t size() const {
    std::lock_guard lock{mutex_};
    return events_.size();
  }

  void clear() {
    std::lock_guard lock{mutex_};
    events_.clear();
  }

  /// Waits (real time) until `pred(events)` holds; false on timeout.
  bool wait_for(const std::function<bool(const std::vector<protocols::informer_event>&)>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds{20}) const {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, timeout, [&] { return pred(events_); });
  }

  /// Whether the subscriber acknowledges by itself.
  bool auto_ack = true;
  protocols::informer_actor informer;

private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<protocols::informer_event> events_;
};

/// A subscriber that records every event into `log` and acknowledges it when
/// `log->auto_ack` is set.
inline protocols::informer_subscriber_actor::behavior_type
recording_subscriber(protocols::informer_subscriber_actor::pointer self, std::shared_ptr<event_log> log) {
  return {
    [self, log](protocols::informer_event& ev) {
      log->add(ev);
      if (log->auto_ack)
        self->send(log->informer, protocols::informer_ack_atom_v,
                   caf::actor_cast<protocols::informer_subscriber_actor>(self), ev.seq);
    },
  };
}

/// What an informer asked of its source.
struct source_calls {
  std::vector<std::uint64_t> lists;
  std::vector<std::pair<std::uint64_t, std::string>> watches;
  std::size_t consumed = 0;
};

/// A source that only records; the test answers with messages.
class recording_source final : public actors::kube::reflector_source {
public:
  explicit recording_source(std::shared_ptr<source_calls> calls) : calls_(std::move(calls)) {}
  void list(std::uint64_t generation) override { calls_->lists.push_back(generation); }
  void watch(std::uint64_t generation, const std::string& rv) override { calls_->watches.emplace_back(generation, rv); }
  void consumed(std::size_t events) override { calls_->consumed += events; }

private:
  std::shared_ptr<source_calls> calls_;
};

inline actors::kube::reflector_source_factory recording_source_factory(std::shared_ptr<source_calls> calls) {
  return [calls](const protocols::informer_actor&) { return std::make_unique<recording_source>(calls); };
}

/// A pod-like object: namespace, name, resourceVersion, uid (defaults to "uid-<name>"),
/// and optional spec.nodeName.
inline nlohmann::json pod_json(const std::string& ns, const std::string& name, std::uint64_t rv,
                               const std::string& uid = {}, const std::string& node = {}) {
  nlohmann::json pod = {
    {"apiVersion", "v1"},
    {"kind", "Pod"},
    {"metadata",
     {{"namespace", ns},
      {"name", name},
      {"uid", uid.empty() ? "uid-" + name : uid},
      {"resourceVersion", std::to_string(rv)}}},
    {"spec", nlohmann::json::object()},
  };
  if (!node.empty())
    pod["spec"]["nodeName"] = node;
  return pod;
}

inline protocols::kube_object pod(const std::string& ns, const std::string& name, std::uint64_t rv,
                                  const std::string& uid = {}, const std::string& node = {}) {
  return protocols::kube_object{pod_json(ns, name, rv, uid, node)};
}

/// True when `a`'s resourceVersion is smaller than `b`'s (decimal versions).
inline bool resource_version_ordered(const protocols::kube_object& a, const protocols::kube_object& b) {
  auto x = a.resource_version();
  auto y = b.resource_version();
  return x.size() != y.size() ? x.size() < y.size() : x < y;
}

/// A compact description of an event for comparisons: "added ns/a@5",
/// "updated ns/a@5->7", "deleted ns/a@7", "synced"; resyncs end in " (resync)" and
/// relist deletions in " (unknown)".
inline std::string describe(const protocols::informer_event& ev) {
  using protocols::informer_event_kind;
  std::string rv{ev.object ? ev.object.resource_version() : std::string_view{}};
  switch (ev.kind) {
    case informer_event_kind::added:
      return "added " + ev.key + "@" + rv;
    case informer_event_kind::updated:
      return "updated " + ev.key + "@" + std::string{ev.old_object.resource_version()} + "->" + rv +
             (ev.resync ? " (resync)" : "");
    case informer_event_kind::deleted:
      return "deleted " + ev.key + "@" + rv + (ev.final_state_unknown ? " (unknown)" : "");
    case informer_event_kind::synced:
      return "synced";
  }
  return "?";
}

inline std::vector<std::string> describe(const std::vector<protocols::informer_event>& events) {
  std::vector<std::string> out;
  out.reserve(events.size());
  for (const auto& ev : events)
    out.push_back(describe(ev));
  return out;
}

/// key → resourceVersion, from replaying events onto an empty map.
inline std::map<std::string, std::string> replay(const std::vector<protocols::informer_event>& events) {
  std::map<std::string, std::string> state;
  for (const auto& e : events) {
    if (e.kind == protocols::informer_event_kind::deleted)
      state.erase(e.key);
    else if (e.kind != protocols::informer_event_kind::synced)
      state[e.key] = std::string{e.object.resource_version()};
  }
  return state;
}

/// No event delivered twice (the same kind for the same key at the same version).
inline bool no_duplicates(const std::vector<protocols::informer_event>& events) {
  std::map<std::string, int> seen;
  for (const auto& e : events)
    if (e.kind != protocols::informer_event_kind::synced && ++seen[describe(e)] > 1)
      return false;
  return true;
}

/// Per key, every event continues from the previous one: added only for a key not held,
/// updated/deleted only for a held key, with old == the state held, and versions
/// increasing (apart from resyncs).
inline bool consistent_per_key(const std::vector<protocols::informer_event>& events) {
  using protocols::informer_event_kind;
  std::map<std::string, protocols::kube_object> held;
  for (const auto& e : events) {
    if (e.kind == informer_event_kind::synced)
      continue;
    auto it = held.find(e.key);
    switch (e.kind) {
      case informer_event_kind::added:
        if (it != held.end())
          return false;
        held.emplace(e.key, e.object);
        break;
      case informer_event_kind::updated:
        if (it == held.end() || !(it->second == e.old_object))
          return false;
        if (!e.resync && !resource_version_ordered(e.old_object, e.object))
          return false;
        it->second = e.object;
        break;
      case informer_event_kind::deleted:
        if (it == held.end())
          return false;
        held.erase(it);
        break;
      case informer_event_kind::synced:
        break;
    }
  }
  return true;
}

} // namespace podvisor::test
