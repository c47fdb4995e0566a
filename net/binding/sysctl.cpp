#include "net/binding/sysctl.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace podvisor::net::binding {

namespace {
error sysctl_error(const std::string& name, const char* what) {
  int err = errno;
  errc code = err == ENOENT ? errc::not_found : (err == EPERM || err == EACCES) ? errc::forbidden : errc::io_error;
  return error{code, "sysctl " + name + ": " + what + ": " + std::strerror(err)};
}
} // namespace

expected<std::string> read_sysctl(const std::string& name) {
  std::string path = "/proc/sys/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return sysctl_error(name, "open");
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0) {
    auto e = sysctl_error(name, "read");
    ::close(fd);
    return e;
  }
  ::close(fd);
  std::string value{buf, static_cast<std::size_t>(n)};
  while (!value.empty() && (value.back() == '\n' || value.back() == ' '))
    value.pop_back();
  return value;
}

error write_sysctl(const std::string& name, const std::string& value) {
  std::string path = "/proc/sys/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return sysctl_error(name, "open");
  ssize_t n = ::write(fd, value.data(), value.size());
  if (n != static_cast<ssize_t>(value.size())) {
    auto e = sysctl_error(name, "write");
    ::close(fd);
    return e;
  }
  ::close(fd);
  return {};
}

} // namespace podvisor::net::binding
