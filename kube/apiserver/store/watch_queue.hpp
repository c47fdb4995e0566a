#pragma once
// The per-watcher half of watch delivery, shared between the store (which pushes events
// while holding its writer lock) and the watch_stream handle (whose owner pulls them from
// an HTTP streaming thread). A queue never blocks the store: when a consumer falls more
// than `capacity` events behind it is terminated, its memory freed, and the consumer is
// told why; kube-apiserver closes slow watchers the same way, and clients re-watch from
// the last resourceVersion they received.
//
// States:
//
//   open ──close()──────────────> closed      (next: queued events, then `closed`)
//    │   ──store shutdown───────> closed      ("store closed")
//    └────queue overflow────────> terminated  (next: `terminated` at once, with reason)

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/enum_table.hpp"
#include "kube/apiserver/store/watch_event.hpp"

namespace podvisor::kube::apiserver {

/// What `watch_stream::next` returned.
enum class watch_status {
  event,      ///< `event` holds the next event
  timeout,    ///< nothing arrived in time; the stream is still open
  closed,     ///< the stream was closed (by its owner, or because the store shut down)
  terminated, ///< the consumer fell too far behind and was cut off; `reason` says so
};

/// The result of one `next` call.
struct watch_next {
  watch_status status = watch_status::timeout;
  event_ptr event;
  std::string reason;
};

namespace detail {

/// The filter a watcher registered with.
struct watch_filter {
  std::string resource;
  /// nullopt: every namespace.
  std::optional<std::string> namespace_;
  /// Only events with a larger RV are delivered live (the replayed backlog ends here).
  std::uint64_t min_rv = 0;
};

/// One watcher's bounded queue.
/// Thread safety: every member function may be called from any thread; one internal
/// mutex guards the state. The store calls `offer` with its own locks held, so nothing
/// here calls back into the store.
class watch_queue {
public:
  /// `backlog`: events to deliver before any live event (initial state or history replay);
  /// it does not count against `capacity`, which bounds only live events not yet read.
  watch_queue(watch_filter filter, std::vector<event_ptr> backlog, std::size_t capacity);

  const watch_filter& filter() const { return filter_; }

  /// What `offer` did.
  enum class offered {
    skipped, ///< filtered out
    queued,  ///< queued; the consumer is busy and will find it
    wake,    ///< queued (or cut off); a consumer is waiting: call `wake()`
    dead,    ///< closed or cut off before this event: forget this queue
  };

  /// Queues `event` if it passes the filter. Never blocks and never wakes the consumer
  /// itself, so that the store can do the wake-ups after releasing its writer lock.
  offered offer(const event_ptr& event);

  /// Wakes a consumer blocked in `next` (after `offer` returned `wake`).
  void wake();

  /// Waits up to `timeout` for the next event.
  watch_next next(std::chrono::steady_clock::duration timeout);

  /// Ends the stream: a blocked `next` wakes up; queued events are dropped.
  void close();

  /// Ends the stream after the events already queued (store shutdown).
  void finish(std::string reason);

  /// True once closed or terminated.
  bool done() const;

private:
  enum class state { open, closed, terminated };

  const watch_filter filter_;
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<event_ptr> backlog_;
  std::size_t backlog_pos_ = 0;
  std::deque<event_ptr> queue_;
  state state_ = state::open;
  std::string reason_;
  int waiters_ = 0;
};

} // namespace detail
} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::watch_status> {
  using e = podvisor::kube::apiserver::watch_status;
  static constexpr std::array entries = {
    enum_entry{e::event, "event"}, enum_entry{e::timeout, "timeout"},
    enum_entry{e::closed, "closed"}, enum_entry{e::terminated, "terminated"}};
};
