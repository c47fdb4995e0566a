#include "virt/libvirt/event_loop.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace podvisor::virt::detail {

namespace {

/// libvirt's error handler: do nothing. Without one, libvirt prints every error to
/// stderr; ours are read back with virGetLastError at the call site.
void ignore_error(void* /*user_data*/, virErrorPtr /*err*/) {}

/// A timeout callback that only wakes the loop (virEventRunDefaultImpl returns after it).
void wake(int /*timer*/, void* /*opaque*/) {}

struct loop_state {
  std::mutex mutex;
  int holders = 0;
  std::thread thread;
  /// Per thread: a detached thread keeps its own flag, so a new thread never races it.
  std::shared_ptr<std::atomic<bool>> stop;
  int wake_timer = -1;

  ~loop_state() {
    std::lock_guard lock{mutex};
    stop_locked();
  }

  void start_locked() {
    stop = std::make_shared<std::atomic<bool>>(false);
    // Disabled (-1) until we need to wake the loop; any update interrupts the poll.
    wake_timer = virEventAddTimeout(-1, wake, nullptr, nullptr);
    thread = std::thread([flag = stop] {
      while (!flag->load())
        virEventRunDefaultImpl();
    });
  }

  void stop_locked() {
    if (!thread.joinable())
      return;
    stop->store(true);
    if (thread.get_id() == std::this_thread::get_id()) {
      // Dropped from a callback on the loop thread: it sees the flag when the callback
      // returns and ends by itself.
      thread.detach();
    } else {
      virEventUpdateTimeout(wake_timer, 0);
      thread.join();
    }
    if (wake_timer >= 0)
      virEventRemoveTimeout(wake_timer);
    wake_timer = -1;
  }
};

loop_state& state() {
  static loop_state s;
  return s;
}

/// A one-shot timeout: runs the function, then removes itself (libvirt frees the
/// function through free_posted once the removal is processed).
void run_posted(int timer, void* opaque) {
  virEventRemoveTimeout(timer);
  (*static_cast<std::function<void()>*>(opaque))();
}

void free_posted(void* opaque) {
  delete static_cast<std::function<void()>*>(opaque);
}

} // namespace

void init_libvirt_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    virInitialize();
    virSetErrorFunc(nullptr, ignore_error);
    virEventRegisterDefaultImpl();
  });
}

void acquire_event_loop() {
  init_libvirt_once();
  auto& s = state();
  std::lock_guard lock{s.mutex};
  if (s.holders++ == 0)
    s.start_locked();
}

void release_event_loop() {
  auto& s = state();
  std::lock_guard lock{s.mutex};
  if (s.holders > 0 && --s.holders == 0)
    s.stop_locked();
}

void post_to_event_loop(std::function<void()> fn) {
  auto* heap = new std::function<void()>(std::move(fn));
  if (virEventAddTimeout(0, run_posted, heap, free_posted) < 0) {
    // Only fails without a registered implementation, which acquire_event_loop rules out.
    virResetLastError();
    delete heap;
  }
}

} // namespace podvisor::virt::detail
