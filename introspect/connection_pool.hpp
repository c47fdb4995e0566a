#pragma once
// cpp-httplib's task queue for the introspection server: a fixed number of workers (one
// per connection served), a bounded number of accepted connections waiting for them, and
// one overflow thread for the rest. cpp-httplib 0.11 hands every accepted socket to the
// queue as an opaque closure that serves and closes it, and cannot be told "no"; so an
// overflow connection is still run, but on the overflow thread with `refusing()` true,
// which the server's TLS client-hello callback turns into a failed handshake: the socket
// is closed without a request being read. Internal to introspect/.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace podvisor::introspect::detail {

class connection_pool final : public httplib::TaskQueue {
public:
  connection_pool(std::size_t workers, std::size_t max_pending);
  ~connection_pool() override;

  void enqueue(std::function<void()> fn) override;
  /// Runs what is queued (the server has shut the sockets' read side, so it ends at once)
  /// and joins every thread.
  void shutdown() override;

  /// True on the thread running an overflow connection.
  static bool refusing();

private:
  void work(bool overflow);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> pending_;
  std::deque<std::function<void()>> overflow_;
  std::size_t max_pending_;
  std::size_t workers_;
  std::size_t busy_ = 0; ///< workers serving a connection
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

} // namespace podvisor::introspect::detail
