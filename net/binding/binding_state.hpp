#pragma once
// What phase 1 (the privileged wiring in the pod's network namespace) leaves behind for
// phase 2 (the unprivileged launcher) and for a later teardown — KubeVirt's cached
// interface description. One JSON file per guest NIC (state_codec.hpp) holds:
//
//   guest    what the guest is told over DHCP and where its NIC plugs in (tap, bridge);
//            `to_lease_config` turns it into net/dhcp's lease_config;
//   changes  what phase 1 changed in the namespace, with the values it replaced, so
//            teardown undoes exactly that and a restarted agent re-runs phase 1 from the
//            plan instead of rediscovering an interface it already rewired.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "net/binding/netlink.hpp"
#include "net/dhcp/address.hpp"
#include "net/dhcp/lease.hpp"
#include "net/dhcp/options.hpp"

namespace podvisor::net::binding {

/// Which binding wired the NIC (KubeVirt's interface binding methods).
enum class binding_kind : std::uint8_t {
  /// The guest takes the pod's IP and MAC on a bridge with the pod NIC.
  bridge,
  /// The guest sits behind NAT on a private network (vmNetworkCIDR).
  masquerade,
};

/// "bridge", "masquerade"; "unknown" otherwise.
std::string_view to_string(binding_kind k);
/// Parses the names `to_string` gives.
std::optional<binding_kind> parse_binding_kind(std::string_view name);

/// Transport protocol of a forwarded or excluded port.
enum class l4_protocol : std::uint8_t { tcp, udp };

/// "tcp", "udp"; "unknown" otherwise.
std::string_view to_string(l4_protocol p);
/// Parses the names `to_string` gives (lower case; "TCP" as Kubernetes writes it too).
std::optional<l4_protocol> parse_l4_protocol(std::string_view name);

/// A port with its protocol.
struct port_spec {
  l4_protocol protocol = l4_protocol::tcp;
  std::uint16_t port = 0;

  friend bool operator==(const port_spec&, const port_spec&) = default;
};

/// What the guest is told and where its NIC plugs in.
struct guest_config {
  /// The guest NIC's MAC, and the only client the DHCP responder answers.
  dhcp::mac_address mac;
  dhcp::ipv4_address address;
  std::uint8_t prefix = 24;
  std::optional<dhcp::ipv4_address> gateway;
  /// Routes other than the default one (option 121).
  std::vector<dhcp::route> routes;
  std::vector<dhcp::ipv4_address> dns_servers;
  std::vector<std::string> search_domains;
  std::uint16_t mtu = 0;
  /// Option 12; empty: not sent.
  std::string hostname;
  /// The tap QEMU opens and the bridge it is enslaved to (the responder binds to it).
  std::string tap;
  std::string bridge;
  /// The responder's own address on the bridge (option 54).
  dhcp::ipv4_address server_address;

  friend bool operator==(const guest_config&, const guest_config&) = default;
};

/// The pod NIC as bridge binding found it and what it made of it.
struct moved_nic {
  /// ifindex: stable across the rename, so a re-run finds the NIC again.
  int index = 0;
  std::string original_name;
  std::string renamed_to;
  dhcp::mac_address original_mac;
  /// The locally administered MAC the NIC got so that the guest can use the original.
  dhcp::mac_address new_mac;
  /// The address moved off the NIC (to the dummy and, by DHCP, to the guest).
  address_info address;
  /// The routes through the NIC that the kernel did not make itself, restored on teardown.
  std::vector<route_info> routes;

  friend bool operator==(const moved_nic&, const moved_nic&) = default;
};

/// A sysctl phase 1 set, with the value it replaced.
struct sysctl_change {
  /// Path under /proc/sys ("net/ipv4/ip_forward").
  std::string name;
  std::string before;

  friend bool operator==(const sysctl_change&, const sysctl_change&) = default;
};

/// What phase 1 changed in the namespace.
struct binding_changes {
  /// Interfaces phase 1 created (bridge, tap, dummy), in creation order; teardown
  /// deletes them in reverse. Before creating one, phase 1 checks that the name was
  /// free, so nothing listed here existed before.
  std::vector<std::string> created_links;
  /// Bridge binding: the NIC it renamed, re-addressed and enslaved.
  std::optional<moved_nic> nic;
  /// The address given to the bridge (DHCP server address or masquerade gateway).
  std::optional<address_info> bridge_address;
  /// The bridge's own MAC, random and fixed: otherwise the bridge takes its lowest
  /// port's, which changes when a port comes back and stales the guest's ARP entry for
  /// its gateway / DHCP server.
  dhcp::mac_address bridge_mac;
  /// Masquerade: the nftables table (family ip) phase 1 owns; empty for none.
  std::string nft_table;
  /// Sysctls set (masquerade: ip_forward=1; bridge: conf/all/arp_ignore=1, so the
  /// namespace does not answer ARP for the address the guest took over), each restored
  /// by teardown.
  std::vector<sysctl_change> sysctls;

  friend bool operator==(const binding_changes&, const binding_changes&) = default;
};

/// The whole cached result of phase 1.
struct binding_state {
  binding_kind kind = binding_kind::bridge;
  /// The pod interface as the pod spec/CNI named it ("eth0").
  std::string pod_interface;
  /// False while phase 1 is still applying the plan (written first, so a crash leaves
  /// a plan a re-run finishes); phase 2 refuses an incomplete state.
  bool complete = false;
  guest_config guest;
  binding_changes changes;

  friend bool operator==(const binding_state&, const binding_state&) = default;
};

/// net/dhcp's lease_config for `guest` (infinite lease, as KubeVirt). invalid_argument
/// when the result would not pass `dhcp::validate`.
expected<dhcp::lease_config> to_lease_config(const guest_config& guest);

/// The bridge KubeVirt names for a pod interface: "k6t-" + iface (cut to 15 bytes).
std::string bridge_name_for(std::string_view pod_interface);

/// A random locally administered unicast MAC (02:xx:...).
dhcp::mac_address random_local_mac();

} // namespace podvisor::net::binding
