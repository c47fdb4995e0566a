#pragma once
// The consumer's end of a watch, made for an HTTP streaming handler: the handler thread
// loops on `next(timeout)`, writes each event as one line, sends a bookmark or checks the
// client connection on `timeout`, and ends the response on `closed` or `terminated`.

#include <chrono>
#include <memory>

#include "kube/apiserver/store/watch_queue.hpp"

namespace podvisor::kube::apiserver {

/// A live watch returned by `store::watch`. Destroying it closes it.
/// Thread safety: `next` is meant for one consumer thread; `close` and `done` may be
/// called from any thread at any time (e.g. on client disconnect), and wake a blocked
/// `next`. The stream may outlive the store; it then reports `closed`.
class watch_stream {
public:
  explicit watch_stream(std::shared_ptr<detail::watch_queue> queue) : queue_(std::move(queue)) {}
  watch_stream(const watch_stream&) = delete;
  watch_stream& operator=(const watch_stream&) = delete;
  ~watch_stream();

  /// Waits up to `timeout` for the next event: first the replayed backlog (initial state
  /// or history after the requested RV), then live events in resourceVersion order.
  /// Returns `timeout` when nothing arrived, `closed` after `close()` or store shutdown,
  /// `terminated` (with a reason) when this watcher fell too far behind.
  watch_next next(std::chrono::steady_clock::duration timeout);

  /// Stops the stream and frees its queue. Idempotent.
  void close();

  /// True once closed or terminated.
  bool done() const;

private:
  std::shared_ptr<detail::watch_queue> queue_;
};

} // namespace podvisor::kube::apiserver
