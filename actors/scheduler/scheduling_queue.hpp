#pragma once
// Which pods wait for a scheduling decision, and when an unschedulable pod is tried again
// (kube-scheduler's activeQ and unschedulable pods, simplified). Every key is in at most
// one place:
//
//              add                pop                   bound / dropped / deleted
//   (none) ─────────► ACTIVE ───────────► IN FLIGHT ─────────────────────────► (none)
//                       ▲                    │ park: nothing fits, or the bind failed
//                       │                    ▼
//                       └──────────────── PARKED
//            activate (the pod changed), activate_all (the cluster changed),
//            backoff_expired (its delay passed: 1 s, doubling per park, capped)
//
// A key in flight ignores `add`: the outcome of its attempt decides where it goes. A
// parked key carries a token; a backoff timer from an earlier parking finds another token
// and does nothing, so stale timers never double-queue a pod.
//
// Plain C++, no CAF and no clock: the actor owns the timers and passes the delays on.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace podvisor::actors::scheduler {

/// Retry delays of parked pods.
struct queue_backoff {
  std::chrono::nanoseconds initial = std::chrono::seconds{1};
  std::chrono::nanoseconds max = std::chrono::seconds{60};
};

/// Where a key is.
enum class queue_place { none, active, in_flight, parked };

/// What `park` decided: retry after `delay` with `token` unless something else does first.
struct park_ticket {
  std::chrono::nanoseconds delay{0};
  std::uint64_t token = 0;
};

/// The queue. Not thread-safe (one actor owns it).
class scheduling_queue {
public:
  explicit scheduling_queue(queue_backoff backoff = {}) : backoff_(backoff) {}

  /// Queues `key` at the back unless it is already known (active, in flight, parked);
  /// true when it became active.
  bool add(const std::string& key);
  /// Moves a parked `key` to active (its pod changed); true when it moved.
  bool activate(const std::string& key);
  /// Moves every parked key to active (the cluster changed); returns how many moved.
  std::size_t activate_all();
  /// The parked `key`'s delay has passed: active again when `token` is its current one.
  bool backoff_expired(const std::string& key, std::uint64_t token);

  /// The next active key, now in flight; nothing when no key is active.
  std::optional<std::string> pop();
  /// Parks an in-flight (or active) key: each park doubles its delay up to the maximum.
  park_ticket park(const std::string& key);
  /// Forgets `key` entirely, its attempt count included.
  void remove(const std::string& key);

  queue_place place(const std::string& key) const;
  /// Parks of `key` since it was added (0 for an unknown key).
  std::uint32_t attempts(const std::string& key) const;
  std::size_t active_size() const;
  std::size_t parked_size() const;
  std::size_t in_flight_size() const;

private:
  struct entry {
    queue_place place = queue_place::none;
    std::uint32_t attempts = 0;
    std::uint64_t token = 0;
  };

  void make_active(const std::string& key, entry& e);

  queue_backoff backoff_;
  std::map<std::string, entry> entries_;
  /// Exactly the active keys, each once, in the order they became active.
  std::deque<std::string> order_;
  std::uint64_t next_token_ = 0;
};

} // namespace podvisor::actors::scheduler
