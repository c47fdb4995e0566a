#include "kube/apiserver/auth/secure_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace podvisor::kube::apiserver {

namespace fs = std::filesystem;

namespace {

error sys_error(std::string_view what, const fs::path& path, int err) {
  return error{errc::io_error,
               std::string{what} + " " + path.string() + ": " + std::strerror(err)};
}

/// Closes a descriptor on every path out of a function.
class fd_guard {
public:
  explicit fd_guard(int fd) : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int get() const { return fd_; }
  /// Closes now and reports close's error (where delayed write errors surface).
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

private:
  int fd_;
};

error write_all(int fd, std::string_view content, const fs::path& path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return sys_error("write", path, errno);
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

error fsync_directory(const fs::path& dir) {
  fd_guard fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (fd.get() < 0)
    return sys_error("open directory", dir, errno);
  if (::fsync(fd.get()) != 0)
    return sys_error("fsync directory", dir, errno);
  return {};
}

std::string temp_name(const fs::path& path) {
  // O_EXCL makes a clash harmless (we retry); randomness only keeps retries rare.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return "." + path.filename().string() + ".tmp-" + std::to_string(rng() % 1'000'000'000);
}

} // namespace

error write_file_atomically(const fs::path& path, std::string_view content, fs::perms mode) {
  auto dir = path.parent_path().empty() ? fs::path{"."} : path.parent_path();
  auto raw_mode = static_cast<mode_t>(mode);
  fs::path tmp;
  int raw_fd = -1;
  for (int attempt = 0; attempt < 16 && raw_fd < 0; ++attempt) {
    tmp = dir / temp_name(path);
    raw_fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, raw_mode);
    if (raw_fd < 0 && errno != EEXIST)
      return sys_error("create", tmp, errno);
  }
  if (raw_fd < 0)
    return sys_error("create", tmp, EEXIST);
  fd_guard fd{raw_fd};
  auto fail = [&](error e) {
    ::unlink(tmp.c_str());
    return e;
  };
  // open() applied the umask; set the exact mode before any byte of the secret is written.
  if (::fchmod(fd.get(), raw_mode) != 0)
    return fail(sys_error("chmod", tmp, errno));
  if (auto e = write_all(fd.get(), content, tmp))
    return fail(std::move(e));
  if (::fsync(fd.get()) != 0)
    return fail(sys_error("fsync", tmp, errno));
  if (fd.close() != 0)
    return fail(sys_error("close", tmp, errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(sys_error("rename to", path, errno));
  // Without this the rename itself may be lost in a power cut, leaving the old file.
  return fsync_directory(dir);
}

expected<std::string> read_small_file(const fs::path& path, std::size_t max_bytes) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec)
    return error{ec == std::errc::no_such_file_or_directory ? errc::not_found : errc::io_error,
                 path.string() + ": " + ec.message()};
  if (size > max_bytes)
    return error{errc::invalid_argument, path.string() + ": " + std::to_string(size) +
                                           " bytes is larger than the limit of " +
                                           std::to_string(max_bytes)};
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return error{errc::io_error, "open " + path.string() + ": " + std::strerror(errno)};
  std::string out(static_cast<std::size_t>(size), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad())
    return error{errc::io_error, "read " + path.string()};
  return out;
}

error restrict_to_owner(const fs::path& path) {
  std::error_code ec;
  auto current = fs::status(path, ec).permissions();
  if (ec)
    return error{errc::io_error, "stat " + path.string() + ": " + ec.message()};
  auto wanted = current & fs::perms::owner_all;
  if (wanted == current)
    return {};
  fs::permissions(path, wanted, fs::perm_options::replace, ec);
  if (ec)
    return error{errc::io_error, "chmod " + path.string() + ": " + ec.message()};
  return {};
}

error ensure_directory(const fs::path& dir, fs::perms mode) {
  std::error_code ec;
  if (fs::is_directory(dir, ec))
    return {};
  if (dir.has_parent_path()) {
    fs::create_directories(dir.parent_path(), ec); // parents: the umask decides, as for mkdir -p
    if (ec)
      return error{errc::io_error, "mkdir " + dir.parent_path().string() + ": " + ec.message()};
  }
  if (::mkdir(dir.c_str(), static_cast<mode_t>(mode)) != 0) {
    if (errno == EEXIST && fs::is_directory(dir, ec))
      return {}; // created concurrently: leave its mode alone
    return sys_error("mkdir", dir, errno);
  }
  // mkdir applied the umask; the directory gets exactly `mode`.
  if (::chmod(dir.c_str(), static_cast<mode_t>(mode)) != 0)
    return sys_error("chmod", dir, errno);
  return {};
}

} // namespace podvisor::kube::apiserver
