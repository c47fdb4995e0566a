#pragma once
// Waiting for something to appear in a directory without polling it: an inotify watch on
// the directory (entries created, moved in, or changed), and a bounded wait for the next
// change. Used where one process waits for another to create a file or a socket, e.g. the
// node agent waiting for a launcher's control socket, so that the waiter reacts within
// milliseconds instead of on its next retry tick.
//
// When the directory cannot be watched (it does not exist yet, or inotify's limits are
// reached), every wait simply lasts its full bound: callers loop on their real condition
// with a short bound, so the watch only ever makes them faster, never wrong.

#include <chrono>
#include <filesystem>

namespace podvisor {

/// An inotify watch on one directory; movable, not copyable, closed on destruction.
class directory_watch {
public:
  /// Watches `dir`. watching() tells whether that worked.
  explicit directory_watch(const std::filesystem::path& dir);
  ~directory_watch();
  directory_watch(directory_watch&& other) noexcept;
  directory_watch& operator=(directory_watch&& other) noexcept;
  directory_watch(const directory_watch&) = delete;
  directory_watch& operator=(const directory_watch&) = delete;

  /// Whether changes are reported (false: wait() always sleeps its whole bound).
  bool watching() const { return fd_ >= 0; }

  /// Blocks until something in the directory changed since the last wait, or `bound`
  /// passed. Returns true when a change was seen. Never throws.
  bool wait(std::chrono::milliseconds bound);

private:
  int fd_ = -1;
};

} // namespace podvisor
