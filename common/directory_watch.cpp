#include "common/directory_watch.hpp"

#include <array>
#include <cerrno>
#include <poll.h>
#include <sys/inotify.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace podvisor {

directory_watch::directory_watch(const std::filesystem::path& dir) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0)
    return;
  // IN_ATTRIB: a socket's mode changes after bind (the launcher chmods it 0600), which is
  // the moment it is about to listen.
  if (::inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE) < 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

directory_watch::~directory_watch() {
  if (fd_ >= 0)
    ::close(fd_);
}

directory_watch::directory_watch(directory_watch&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

directory_watch& directory_watch::operator=(directory_watch&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

bool directory_watch::wait(std::chrono::milliseconds bound) {
  if (bound.count() < 0)
    bound = std::chrono::milliseconds{0};
  if (fd_ < 0) {
    std::this_thread::sleep_for(bound);
    return false;
  }
  pollfd p{fd_, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(bound.count(), 1'000'000)));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0)
    return false;
  // Drain what arrived: the caller re-checks its condition, the events themselves do not
  // matter.
  alignas(inotify_event) std::array<char, 4096> buffer{};
  while (::read(fd_, buffer.data(), buffer.size()) > 0) {
  }
  return true;
}

} // namespace podvisor
