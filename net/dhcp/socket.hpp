#pragma once
// The responder's view of the network: receive one datagram, send one datagram. The
// real implementation is a UDP socket on port 67 bound to the bridge device; tests put a
// socketpair or a recording fake behind the same interface.
//
// Socket facts that shaped this (measured with udhcpc and dhclient, see
// ../shared/reference/dhcp-and-netns.md):
//  - only a socket bound to 0.0.0.0:67 *and* SO_BINDTODEVICE to the bridge sees the
//    client's broadcast DISCOVER; one such socket per bridge can share the port;
//  - while the client has no address, a broadcast to 255.255.255.255:68 from that socket
//    reaches it; unicast to the offered address needs an ARP entry the client cannot
//    answer yet, so `send_reply` broadcasts for `offered_address`;
//  - once the client has an address (ciaddr), plain unicast to ciaddr:68 works — except
//    that udhcpc sometimes misses it right after renewing, so a broadcast copy follows.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "net/dhcp/address.hpp"
#include "net/dhcp/lease.hpp"

namespace podvisor::net::dhcp {

/// The DHCP ports (RFC 2131 §4.1).
inline constexpr std::uint16_t server_port = 67;
inline constexpr std::uint16_t client_port = 68;

/// What `packet_socket::receive` read.
struct received_datagram {
  /// Bytes stored in the caller's buffer.
  std::size_t size = 0;
  /// The datagram was longer than the buffer (its tail was cut off).
  bool truncated = false;
  /// Source address and port, as far as the socket knows (0.0.0.0:0 otherwise).
  ipv4_address source;
  std::uint16_t source_port = 0;
};

/// A datagram socket as the responder uses it.
class packet_socket {
public:
  virtual ~packet_socket() = default;

  /// Reads one waiting datagram into `buffer` without blocking. Nothing when none is
  /// waiting; an error (io_error) when the socket failed.
  virtual expected<std::optional<received_datagram>> receive(std::span<std::uint8_t> buffer) = 0;

  /// Sends one datagram to `to`:`port`. Safe to call from another thread than the one
  /// receiving (the actor sends while its reader thread waits in poll).
  virtual error send(std::span<const std::uint8_t> bytes, const ipv4_address& to, std::uint16_t port) = 0;

  /// A descriptor that polls readable when `receive` has something; -1 for sockets
  /// that cannot be polled (then callers call `receive` when they know data is there).
  virtual int fd() const = 0;
};

/// Sends a reply where `decide` said (RFC 2131 §4.1): broadcast to 255.255.255.255:68
/// for `broadcast` and `offered_address` (no ARP entry needed), unicast to ciaddr:68 for
/// `client_address` followed by a broadcast copy (udhcpc can miss a fast unicast answer
/// to its renewal, see socket.cpp), to giaddr:67 for `relay`. `none` sends nothing.
error send_reply(packet_socket& socket, std::span<const std::uint8_t> bytes, reply_destination where,
                 const dhcp_packet& request);

/// The real socket: UDP, 0.0.0.0:67, SO_BINDTODEVICE(interface), SO_BROADCAST,
/// SO_REUSEADDR (several responders on one bridge), non-blocking, close-on-exec. Needs
/// CAP_NET_RAW for SO_BINDTODEVICE (and CAP_NET_BIND_SERVICE for port 67) — the launcher
/// gets the socket from the privileged side or holds those capabilities.
class dhcp_socket final : public packet_socket {
public:
  /// Opens and binds the socket on `interface` in the caller's network namespace.
  static expected<std::unique_ptr<dhcp_socket>> open(const std::string& interface);

  ~dhcp_socket() override;
  dhcp_socket(const dhcp_socket&) = delete;
  dhcp_socket& operator=(const dhcp_socket&) = delete;

  expected<std::optional<received_datagram>> receive(std::span<std::uint8_t> buffer) override;
  error send(std::span<const std::uint8_t> bytes, const ipv4_address& to, std::uint16_t port) override;
  int fd() const override { return fd_; }

  /// The interface it is bound to.
  const std::string& interface() const { return interface_; }

private:
  dhcp_socket(int fd, std::string interface) : fd_(fd), interface_(std::move(interface)) {}

  int fd_ = -1;
  std::string interface_;
};

/// A socket over one end of an AF_UNIX datagram socketpair, for tests: `receive` reads
/// what the peer wrote, `send` writes to the peer, prefixed with nothing — the peer
/// learns the destination through `last_destination`. Takes ownership of `fd`.
class socketpair_socket final : public packet_socket {
public:
  explicit socketpair_socket(int fd) : fd_(fd) {}
  ~socketpair_socket() override;
  socketpair_socket(const socketpair_socket&) = delete;
  socketpair_socket& operator=(const socketpair_socket&) = delete;

  expected<std::optional<received_datagram>> receive(std::span<std::uint8_t> buffer) override;
  error send(std::span<const std::uint8_t> bytes, const ipv4_address& to, std::uint16_t port) override;
  int fd() const override { return fd_; }

  /// Where the last datagram was sent (0.0.0.0:0 before the first).
  std::pair<ipv4_address, std::uint16_t> last_destination() const;
  /// Where every datagram was sent, in order.
  std::vector<std::pair<ipv4_address, std::uint16_t>> destinations() const;

private:
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::vector<std::pair<ipv4_address, std::uint16_t>> sent_;
};

} // namespace podvisor::net::dhcp
