#include "virt/daemon/capabilities_cache.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <sstream>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

#include "common/format.hpp"

namespace fs = std::filesystem;

namespace podvisor::virt {

std::string_view to_string(capabilities_outcome o) {
  switch (o) {
  case capabilities_outcome::reused: return "reused";
  case capabilities_outcome::refreshed: return "refreshed";
  case capabilities_outcome::probed: return "probed";
  case capabilities_outcome::none: return "none";
  }
  return "unknown";
}

namespace {

bool read_file(const fs::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string fingerprint(const std::string& content) {
  return format("{}:{}", content.size(), std::hash<std::string>{}(content));
}

bool is_entry(const fs::directory_entry& e) {
  return e.is_regular_file() && e.path().extension() == ".xml";
}

// Writes `content` to dir/name through a temporary file and rename(2), so a reader sees
// either the old entry or the whole new one.
error write_atomically(const fs::path& dir, const std::string& name, const std::string& content) {
  fs::path tmp = dir / format(".{}.{}.tmp", name, ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      return error{errc::io_error, format("cannot write {}", tmp.string())};
    out << content;
    if (!out.flush())
      return error{errc::io_error, format("cannot write {}", tmp.string())};
  }
  std::error_code ec;
  fs::rename(tmp, dir / name, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return error{errc::io_error, format("cannot publish {}: {}", (dir / name).string(), ec.message())};
  }
  return {};
}

} // namespace

cache_snapshot snapshot_cache(const fs::path& dir) {
  cache_snapshot snap;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string content;
    if (is_entry(e) && read_file(e.path(), content))
      snap[e.path().filename().string()] = fingerprint(content);
  }
  return snap;
}

expected<int> seed_cache(const fs::path& node_dir, const fs::path& private_dir) {
  std::error_code ec;
  fs::create_directories(private_dir, ec);
  if (ec)
    return error{errc::io_error, format("cannot create {}: {}", private_dir.string(), ec.message())};
  int copied = 0;
  for (const auto& e : fs::directory_iterator(node_dir, ec)) {
    std::string content;
    if (!is_entry(e) || !read_file(e.path(), content))
      continue;
    if (auto err = write_atomically(private_dir, e.path().filename().string(), content); !err.ok())
      return err;
    ++copied;
  }
  // A missing node directory is the normal first start: nothing to seed.
  return copied;
}

expected<capabilities_outcome> publish_cache(const fs::path& private_dir, const fs::path& node_dir,
                                             const cache_snapshot& seeded) {
  cache_snapshot now = snapshot_cache(private_dir);
  if (now.empty())
    return capabilities_outcome::none;
  bool changed = false;
  for (const auto& [name, print] : now) {
    auto it = seeded.find(name);
    if (it != seeded.end() && it->second == print)
      continue;
    changed = true;
    std::string content;
    if (!read_file(private_dir / name, content))
      continue; // removed under us by libvirt: nothing to publish
    std::error_code ec;
    fs::create_directories(node_dir, ec);
    if (ec)
      return error{errc::io_error, format("cannot create {}: {}", node_dir.string(), ec.message())};
    if (auto err = write_atomically(node_dir, name, content); !err.ok())
      return err;
  }
  if (!changed)
    return capabilities_outcome::reused;
  return seeded.empty() ? capabilities_outcome::probed : capabilities_outcome::refreshed;
}

probe_turn& probe_turn::operator=(probe_turn&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

probe_turn::~probe_turn() {
  if (fd_ >= 0)
    ::close(fd_); // closing the last descriptor of the open file releases the flock
}

expected<probe_turn> wait_for_probe_turn(const fs::path& node_dir, std::chrono::milliseconds timeout) {
  std::error_code ec;
  fs::create_directories(node_dir, ec);
  if (ec)
    return error{errc::io_error, format("cannot create {}: {}", node_dir.string(), ec.message())};
  const fs::path lock_file = node_dir / ".probe.lock";
  int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return error{errc::io_error, format("cannot open {}: {}", lock_file.string(), std::strerror(errno))};
  probe_turn turn{fd};
  // flock has no timeout of its own: poll, backing off from 5 ms to 100 ms.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(5);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      return error{errc::io_error, format("cannot lock {}: {}", lock_file.string(), std::strerror(errno))};
    if (std::chrono::steady_clock::now() >= deadline)
      return error{errc::timeout, format("another launcher has been probing QEMU for over {} ms ({} is locked)",
                                         timeout.count(), lock_file.string())};
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
  return turn;
}

} // namespace podvisor::virt
