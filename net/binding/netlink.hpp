#pragma once
// The part of rtnetlink the bindings use — links, IPv4 addresses, IPv4 routes of the
// main table — over libnl-route 3, with libnl's error codes classified here once
// (NLE_EXIST → already_exists, NLE_OBJ_NOTFOUND/NLE_NODEV → not_found, ...). A session
// works on the network namespace of the thread that opened it (see netns.hpp); the
// socket stays there even if that thread later moves.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::net::binding {

/// One network interface as the kernel reports it.
struct link_info {
  int index = 0;
  std::string name;
  /// libnl's kind: "bridge", "dummy", "veth", "tun" (taps too); empty for hardware.
  std::string type;
  dhcp::mac_address mac;
  std::uint32_t mtu = 0;
  /// IFF_UP (administratively up).
  bool up = false;
  /// ifindex of the bridge it is enslaved to; 0 for none.
  int master = 0;
};

/// An IPv4 address on an interface.
struct address_info {
  int index = 0;
  dhcp::ipv4_address address;
  std::uint8_t prefix = 32;

  friend bool operator==(const address_info&, const address_info&) = default;
};

/// A unicast IPv4 route of the main table with one next hop.
struct route_info {
  dhcp::ipv4_address destination;
  std::uint8_t prefix = 0;
  /// The next hop's gateway; none for an on-link (scope link) route.
  std::optional<dhcp::ipv4_address> gateway;
  /// Output interface.
  int oif = 0;
  /// RT_SCOPE_* (0 universe, 253 link, 254 host).
  std::uint8_t scope = 0;
  /// RTPROT_* (2 kernel: made by the kernel for an address; 3 boot; 4 static).
  std::uint8_t protocol = 3;
  /// Metric; 0 for none.
  std::uint32_t priority = 0;

  friend bool operator==(const route_info&, const route_info&) = default;
};

/// What `set_link` changes; fields left empty stay as they are.
struct link_change {
  std::optional<std::string> name;
  std::optional<dhcp::mac_address> mac;
  std::optional<std::uint32_t> mtu;
  std::optional<bool> up;
  /// ifindex of a bridge to enslave to; 0 releases the link from its bridge.
  std::optional<int> master;
};

/// An rtnetlink session in the calling thread's network namespace.
class rtnl {
public:
  /// Connects a NETLINK_ROUTE socket; io_error if that fails.
  static expected<rtnl> open();

  rtnl(rtnl&&) noexcept;
  rtnl& operator=(rtnl&&) noexcept;
  ~rtnl();

  /// Every interface of the namespace.
  expected<std::vector<link_info>> links();
  /// The interface named `name`; not_found if there is none.
  expected<link_info> link(std::string_view name);
  /// The interface with index `index`; not_found if there is none.
  expected<link_info> link(int index);
  /// Creates an interface of a kind libnl can make by name ("bridge", "dummy");
  /// already_exists if the name is taken.
  error add_link(std::string_view name, std::string_view kind, std::optional<std::uint32_t> mtu = {});
  /// Creates a veth pair in one request: `name` here, its peer `peer_name` directly in
  /// the network namespace open at `peer_netns_fd` (what `ip link add NAME type veth
  /// peer name PEER netns NS` does). already_exists if either name is taken in its
  /// namespace; both ends come up down.
  error add_veth(std::string_view name, std::string_view peer_name, int peer_netns_fd);
  /// Deletes an interface; not_found if it is gone.
  error delete_link(int index);
  /// Applies `change` (a rename needs the link down, which the caller arranges).
  error set_link(int index, const link_change& change);

  /// Every IPv4 address of the namespace.
  expected<std::vector<address_info>> addresses();
  /// Adds an address; success if it is already there.
  error add_address(const address_info& a);
  /// Removes an address; success if it is not there.
  error delete_address(const address_info& a);

  /// The unicast IPv4 routes of the main table.
  expected<std::vector<route_info>> routes();
  /// Adds a route; success if an identical destination is already routed.
  error add_route(const route_info& r);
  /// Adds the route or replaces the one with the same destination (`ip route replace`).
  error replace_route(const route_info& r);

private:
  struct socket_deleter {
    void operator()(void* sock) const;
  };
  explicit rtnl(void* sock) : sock_(sock) {}
  std::unique_ptr<void, socket_deleter> sock_;
};

/// The error for a negative libnl return code `rc` while doing `what`.
error netlink_error(int rc, std::string_view what);

} // namespace podvisor::net::binding
