#pragma once
// A keyed work queue with rate-limited retries: client-go's workqueue (the dirty set,
// the processing set, delayed adds, ItemExponentialFailureRateLimiter) as plain C++,
// driven by a controller actor (reconcile_loop.hpp) and tested with a manual clock.
//
// The guarantees a controller relies on:
//   - a key is queued at most once: adding a key that is already waiting does nothing;
//   - a key is never handed out twice at once: a key added while it is being processed
//     (between get() and done()) is marked dirty and queued again by done(), so the
//     change that arrived meanwhile is not lost and the two syncs never overlap;
//   - add_after() delays a key; when it is added again with a shorter delay, the earlier
//     time wins (as client-go's waiting heap does);
//   - add_rate_limited() delays a key by base * 2^failures (5 ms, 10 ms, ... capped at
//     1000 s) and counts a failure; forget() resets the count after a successful sync.
//
// Not thread-safe: one actor owns it. Time comes from the injected clock; the owner asks
// next_deadline() to arm one timer and calls get() (which promotes due keys) when it
// fires.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"

namespace podvisor::actors::controller {

/// Per-key exponential failure backoff (client-go's DefaultControllerRateLimiter's item
/// part: 5 ms doubling up to 1000 s).
struct rate_limit_policy {
  std::chrono::nanoseconds base = std::chrono::milliseconds{5};
  std::chrono::nanoseconds max = std::chrono::seconds{1000};
};

/// The queue. Keys are opaque strings (usually "namespace/name").
class work_queue {
public:
  using duration = std::chrono::nanoseconds;
  using steady_time = podvisor::clock::steady_time;

  explicit work_queue(const podvisor::clock& clock, rate_limit_policy policy = {});

  /// Queues `key` for processing now (no-op when it is already queued; deferred until
  /// done() when it is being processed).
  void add(const std::string& key);
  /// Queues `key` after `delay` (<= 0: now). An earlier pending time for the key wins.
  void add_after(const std::string& key, duration delay);
  /// Counts a failure of `key` and queues it after the backoff delay; returns the delay.
  duration add_rate_limited(const std::string& key);
  /// Clears the failure count of `key` (call after a successful sync).
  void forget(const std::string& key);
  /// Failures counted for `key` since the last forget().
  std::size_t failures(const std::string& key) const;
  /// The delay the next add_rate_limited(key) would use, without counting.
  duration next_backoff(const std::string& key) const;

  /// The next key to process (FIFO among ready keys, delayed keys whose time has come
  /// included), now marked as processing; nullopt when no key is ready.
  std::optional<std::string> get();
  /// Ends processing of `key`; when it was added meanwhile, it is queued again.
  void done(const std::string& key);

  /// The earliest time a delayed key becomes ready (nullopt when none waits).
  std::optional<steady_time> next_deadline() const;

  /// Keys ready to be handed out (not counting delayed ones).
  std::size_t ready() const { return queue_.size(); }
  /// Keys waiting for their delay.
  std::size_t delayed() const { return waiting_.size(); }
  /// Keys between get() and done().
  std::size_t processing() const { return processing_.size(); }
  bool is_processing(const std::string& key) const { return processing_.count(key) > 0; }

private:
  void promote_due();

  const podvisor::clock& clock_;
  rate_limit_policy policy_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;
  std::set<std::string> processing_;
  // Delayed keys: ready time per key, and the same ordered by time for promotion.
  std::unordered_map<std::string, steady_time> waiting_;
  std::multimap<steady_time, std::string> waiting_by_time_;
  std::unordered_map<std::string, std::size_t> failures_;
};

} // namespace podvisor::actors::controller
