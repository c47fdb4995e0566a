#include "net/dhcp/socket.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace podvisor::net::dhcp {

namespace {

error sys_error(std::string_view what) {
  int e = errno;
  errc code = (e == EPERM || e == EACCES) ? errc::forbidden : (e == ENODEV ? errc::not_found : errc::io_error);
  return error{code, std::string(what) + ": " + std::strerror(e)};
}

sockaddr_in to_sockaddr(const ipv4_address& a, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  std::memcpy(&sa.sin_addr, a.octets.data(), 4);
  return sa;
}

const ipv4_address limited_broadcast{{255, 255, 255, 255}};

} // namespace

error send_reply(packet_socket& socket, std::span<const std::uint8_t> bytes, reply_destination where,
                 const dhcp_packet& request) {
  switch (where) {
  case reply_destination::none:
    return {};
  case reply_destination::broadcast:
  case reply_destination::offered_address:
    return socket.send(bytes, limited_broadcast, client_port);
  case reply_destination::client_address:
    // RFC 2131 §4.1 says unicast to ciaddr, and we do. But busybox udhcpc sends its
    // renewal from a short-lived socket bound to ciaddr:68, which is the better match
    // for the unicast answer while it exists: a fast responder's ACK lands there and is
    // lost when that socket closes, and udhcpc only recovers by rebinding seconds later
    // (seen with dnsmasq too). A broadcast copy reaches its listening socket (bound to
    // 0.0.0.0:68) instead; every client ignores the duplicate by xid. One guest per bridge,
    // so the copy costs nothing.
    if (auto e = socket.send(bytes, request.ciaddr, client_port))
      return e;
    return socket.send(bytes, limited_broadcast, client_port);
  case reply_destination::relay:
    return socket.send(bytes, request.giaddr, server_port);
  }
  return error{errc::internal, "unknown reply destination"};
}

expected<std::unique_ptr<dhcp_socket>> dhcp_socket::open(const std::string& interface) {
  if (interface.empty() || interface.size() >= IFNAMSIZ)
    return error{errc::invalid_argument, "interface name \"" + interface + "\": must be 1.." +
                                             std::to_string(IFNAMSIZ - 1) + " bytes"};
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return sys_error("socket");
  auto fail = [fd, &interface](std::string_view what) {
    auto e = sys_error(what).with_context("dhcp socket on " + interface);
    ::close(fd);
    return e;
  };
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
    return fail("SO_REUSEADDR");
  if (::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0)
    return fail("SO_BROADCAST");
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                   static_cast<socklen_t>(interface.size() + 1)) != 0)
    return fail("SO_BINDTODEVICE");
  auto any = to_sockaddr(ipv4_address{}, server_port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0)
    return fail("bind 0.0.0.0:67");
  return std::unique_ptr<dhcp_socket>(new dhcp_socket(fd, interface));
}

dhcp_socket::~dhcp_socket() {
  if (fd_ >= 0)
    ::close(fd_);
}

expected<std::optional<received_datagram>> dhcp_socket::receive(std::span<std::uint8_t> buffer) {
  sockaddr_in from{};
  iovec iov{buffer.data(), buffer.size()};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  for (;;) {
    // MSG_TRUNC makes recvmsg return the datagram's real length, so oversized ones are
    // recognised instead of parsed as if complete.
    ssize_t n = ::recvmsg(fd_, &msg, MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return std::optional<received_datagram>{};
      return sys_error("recvmsg").with_context("dhcp socket on " + interface_);
    }
    received_datagram d;
    d.truncated = static_cast<std::size_t>(n) > buffer.size() || (msg.msg_flags & MSG_TRUNC) != 0;
    d.size = std::min(static_cast<std::size_t>(n), buffer.size());
    std::memcpy(d.source.octets.data(), &from.sin_addr, 4);
    d.source_port = ntohs(from.sin_port);
    return std::optional<received_datagram>{d};
  }
}

error dhcp_socket::send(std::span<const std::uint8_t> bytes, const ipv4_address& to, std::uint16_t port) {
  auto sa = to_sockaddr(to, port);
  for (;;) {
    ssize_t n = ::sendto(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&sa),
                         sizeof sa);
    if (n >= 0)
      return {};
    if (errno != EINTR)
      return sys_error("sendto " + to_string(to) + ":" + std::to_string(port)).with_context("dhcp socket on " + interface_);
  }
}

socketpair_socket::~socketpair_socket() {
  if (fd_ >= 0)
    ::close(fd_);
}

expected<std::optional<received_datagram>> socketpair_socket::receive(std::span<std::uint8_t> buffer) {
  for (;;) {
    ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return std::optional<received_datagram>{};
      return sys_error("recv");
    }
    received_datagram d;
    d.truncated = static_cast<std::size_t>(n) > buffer.size();
    d.size = std::min(static_cast<std::size_t>(n), buffer.size());
    return std::optional<received_datagram>{d};
  }
}

error socketpair_socket::send(std::span<const std::uint8_t> bytes, const ipv4_address& to, std::uint16_t port) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    sent_.emplace_back(to, port);
  }
  if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
    return sys_error("send");
  return {};
}

std::pair<ipv4_address, std::uint16_t> socketpair_socket::last_destination() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sent_.empty() ? std::pair<ipv4_address, std::uint16_t>{} : sent_.back();
}

std::vector<std::pair<ipv4_address, std::uint16_t>> socketpair_socket::destinations() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sent_;
}

} // namespace podvisor::net::dhcp
