#pragma once
// The background half of deletion, as kube-controller-manager's garbage collector and
// namespace controller do it: objects whose every owner (ownerReferences) is gone are
// deleted (so deleting a VMI deletes its pods), and a Terminating namespace is emptied,
// then removed. Runs on its own thread, woken after every deletion and every 30 seconds.
//
// A sweep reads the whole store (fine for the tens of thousands of objects this server is
// for); a crash between a deletion and its sweep is repaired by the first sweep after a
// restart, because the sweep looks at state, not at events.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace podvisor::kube::apiserver {

class api_handler;

/// Runs sweeps until destroyed.
class garbage_collector {
public:
  explicit garbage_collector(api_handler& server, std::chrono::milliseconds period = std::chrono::seconds(30));
  ~garbage_collector();
  garbage_collector(const garbage_collector&) = delete;
  garbage_collector& operator=(const garbage_collector&) = delete;

  /// Asks for a sweep soon (after a deletion).
  void wake();

  /// One sweep, synchronously (also what the thread runs). Returns the number of objects
  /// it deleted or marked for deletion.
  std::size_t sweep();

private:
  void run();

  api_handler& server_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stop_ = false;
  std::thread thread_;
};

} // namespace podvisor::kube::apiserver
