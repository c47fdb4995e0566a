#pragma once
// Masquerade binding (KubeVirt's): the guest lives on a private network behind NAT.
//
//   eth0      the pod NIC, untouched (pod IP, default route)
//   k6t-eth0  bridge with the gateway address of vmNetworkCIDR (10.0.2.1/24)
//   tap0      persistent tap for the guest, enslaved to k6t-eth0; guest 10.0.2.2
//   nftables  table ip podvisor: inbound traffic to the pod IP (every port, or only the
//             declared ones, never the excluded ones) DNAT-ed to the guest; the guest's
//             traffic out of eth0 masqueraded (see nft_ruleset.hpp)
//   sysctl    net.ipv4.ip_forward=1 in the pod's namespace
//
// The NIC is never changed, so a re-run simply discovers it again; only the guest MAC
// (random unless given) and what ip_forward was before come from the earlier state.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "common/error.hpp"
#include "net/binding/binding_state.hpp"
#include "net/binding/discovery.hpp"
#include "net/binding/netlink.hpp"
#include "net/binding/netns.hpp"

namespace podvisor::net::binding {

/// Inputs of the masquerade binding.
struct masquerade_options {
  discovery_options discovery;
  /// The guest's MAC; default: a random locally administered one (kept across re-runs).
  std::optional<dhcp::mac_address> guest_mac;
  std::string tap = "tap0";
  std::optional<uid_t> tap_owner;
  std::string hostname;
  /// The VMI's vmNetworkCIDR: gateway = first address, guest = second; prefix ≤ 30.
  std::string vm_network_cidr = "10.0.2.0/24";
  /// Ports forwarded to the guest (the interface's `ports`); empty: all.
  std::vector<port_spec> ports;
  /// Ports the pod serves itself, never forwarded.
  std::vector<port_spec> excluded_ports;
  std::string nft_table = "podvisor";
  /// Where the cached result goes (required).
  std::filesystem::path state_path;
};

/// The gateway and guest addresses of a vmNetworkCIDR ("10.0.2.0/24" → 10.0.2.1,
/// 10.0.2.2, 24); invalid_argument for anything else or a prefix above 30.
struct vm_network {
  dhcp::ipv4_address gateway;
  dhcp::ipv4_address guest;
  std::uint8_t prefix = 24;
};
expected<vm_network> parse_vm_network_cidr(const std::string& cidr);

/// Phase 1 of masquerade binding in the calling thread's namespace (same contract as
/// setup_bridge_binding). Re-running reloads the ruleset atomically from `options`.
expected<binding_state> setup_masquerade_binding(rtnl& nl, const masquerade_options& options);

/// The same inside `ns` (on a thread of its own).
inline expected<binding_state> setup_masquerade_binding(const netns_ref& ns, const masquerade_options& options) {
  return run_in_netns(ns, [&]() -> expected<binding_state> {
    auto nl = rtnl::open();
    if (!nl)
      return nl.error();
    return setup_masquerade_binding(*nl, options);
  });
}

} // namespace podvisor::net::binding
