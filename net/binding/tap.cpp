#include "net/binding/tap.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace podvisor::net::binding {

error ensure_tap(const std::string& name, std::optional<uid_t> owner) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    return error{errc::invalid_argument, "tap name \"" + name + "\": must be 1.." + std::to_string(IFNAMSIZ - 1) + " bytes"};
  int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return error{err == ENOENT ? errc::unsupported : errc::io_error,
                 "tap " + name + ": open /dev/net/tun: " + std::strerror(err)};
  }
  auto fail = [&](const char* step, errc code = errc::io_error) {
    int err = errno;
    ::close(fd);
    if (err == EPERM || err == EACCES)
      code = errc::forbidden;
    return error{code, "tap " + name + ": " + step + ": " + std::strerror(err)};
  };
  ifreq req{};
  std::memcpy(req.ifr_name, name.data(), name.size());
  req.ifr_flags = IFF_TAP | IFF_NO_PI;
  // Attaching to an existing persistent tap succeeds; an existing non-tap device
  // (or a tun) with the name gives EINVAL/EBUSY.
  if (::ioctl(fd, TUNSETIFF, &req) < 0)
    return fail("TUNSETIFF (is the name taken by another device?)", errc::conflict);
  if (owner && ::ioctl(fd, TUNSETOWNER, static_cast<unsigned long>(*owner)) < 0)
    return fail("TUNSETOWNER");
  if (::ioctl(fd, TUNSETPERSIST, 1UL) < 0)
    return fail("TUNSETPERSIST");
  ::close(fd);
  return {};
}

} // namespace podvisor::net::binding
