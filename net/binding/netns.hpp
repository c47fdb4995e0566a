#pragma once
// Running code inside another network namespace. setns(2) changes the namespace of the
// calling thread only, and every socket keeps the namespace it was created in, so work
// on a pod's network happens on a thread of its own that entered the pod's namespace
// first and never leaves it: `netns_thread` keeps one such thread for many calls,
// `run_in_netns` makes one for a single call. Never call these on an actor's scheduler
// thread expecting that thread to change namespace: it does not.
//
//   auto nic = run_in_netns(netns_ref::from_path("/run/netns/pod"), [] { return discover({}); });

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "common/error.hpp"

namespace podvisor::net::binding {

/// Names a network namespace: a path (`/run/netns/<name>`, `/proc/<pid>/ns/net`) or an
/// open file descriptor the caller keeps open while it is in use.
struct netns_ref {
  std::string path;
  int fd = -1;

  static netns_ref from_path(std::string p) { return netns_ref{std::move(p), -1}; }
  static netns_ref from_fd(int f) { return netns_ref{{}, f}; }
  /// `/run/netns/<name>`, where `ip netns add <name>` puts it.
  static netns_ref named(const std::string& name) { return from_path("/run/netns/" + name); }

  /// The path, or "fd N", for messages.
  std::string describe() const;
};

namespace detail {
template <class T>
struct is_expected : std::false_type {};
template <class T>
struct is_expected<expected<T>> : std::true_type {};
/// What a function run in a namespace may return: `error` or `expected<T>`.
template <class R>
concept netns_result = std::is_same_v<R, error> || is_expected<R>::value;
} // namespace detail

/// A thread that entered one network namespace and runs submitted functions there, one
/// at a time, in order. Construction opens the namespace and starts the thread; `ready()`
/// says whether it got in. The destructor finishes queued work and joins.
class netns_thread {
public:
  explicit netns_thread(const netns_ref& ns);
  netns_thread(const netns_thread&) = delete;
  netns_thread& operator=(const netns_thread&) = delete;
  ~netns_thread();

  /// Success, or why the namespace could not be entered (not_found for a missing path,
  /// forbidden without CAP_SYS_ADMIN, io_error otherwise).
  const error& ready() const { return ready_; }

  /// Runs `fn` on the namespace thread and waits for its result. `fn` returns `error` or
  /// `expected<T>`; an exception it throws becomes errc::internal. If the thread never
  /// entered the namespace, `fn` does not run and the entry error is returned.
  template <class F>
  auto run(F&& fn) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    static_assert(detail::netns_result<R>, "the function must return error or expected<T>");
    if (!ready_.ok())
      return R{ready_};
    std::packaged_task<R()> task{[&fn]() -> R {
      try {
        return fn();
      } catch (const std::exception& e) {
        return R{error{errc::internal, std::string{"exception in namespace thread: "} + e.what()}};
      } catch (...) {
        return R{error{errc::internal, "unknown exception in namespace thread"}};
      }
    }};
    auto result = task.get_future();
    post([&task] { task(); });
    return result.get();
  }

private:
  void post(std::function<void()> job);
  void loop(int fd, std::promise<error> entered);

  error ready_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

/// Runs `fn` once on a fresh thread inside `ns` and returns its result (see
/// `netns_thread::run`); errors name the namespace.
template <class F>
auto run_in_netns(const netns_ref& ns, F&& fn) -> std::invoke_result_t<F&> {
  netns_thread t{ns};
  return t.run(std::forward<F>(fn));
}

} // namespace podvisor::net::binding
