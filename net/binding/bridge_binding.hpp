#pragma once
// Bridge binding (KubeVirt's): the guest takes over the pod's address and MAC.
//
//   before (CNI)                         after phase 1
//   eth0  MAC M, 10.244.1.5/24,          eth0-nic  MAC M' (random, local), no address,
//         default via 10.244.1.1                   enslaved to k6t-eth0
//                                        k6t-eth0  bridge, 169.254.75.10/32 (DHCP server)
//                                        tap0      persistent tap owned by QEMU's uid,
//                                                  enslaved to k6t-eth0; guest MAC M
//                                        eth0      dummy, down, 10.244.1.5/24 (keeps
//                                                  the pod's address visible to the
//                                                  runtime and CNI checks; an empty
//                                                  bridge where the kernel has no
//                                                  dummy driver)
//
// The guest is told 10.244.1.5/24, gateway 10.244.1.1, the pod's other routes, DNS and
// search list. The NIC's routes vanish with its address and are recorded for teardown.

#include <filesystem>
#include <optional>
#include <string>

#include <sys/types.h>

#include "common/error.hpp"
#include "net/binding/binding_state.hpp"
#include "net/binding/discovery.hpp"
#include "net/binding/netlink.hpp"
#include "net/binding/netns.hpp"

namespace podvisor::net::binding {

/// Inputs of the bridge binding.
struct bridge_options {
  discovery_options discovery;
  /// The guest's MAC; default: the pod NIC's original MAC.
  std::optional<dhcp::mac_address> guest_mac;
  std::string tap = "tap0";
  /// Owner of the tap (QEMU's uid); default: root.
  std::optional<uid_t> tap_owner;
  /// Option 12 for the guest; empty: not sent.
  std::string hostname;
  /// The bridge's link-local address the DHCP responder serves from (KubeVirt's
  /// 169.254.75.1X).
  dhcp::ipv4_address server_address{{169, 254, 75, 10}};
  /// Where the cached result goes (required). If it holds a state from an earlier run,
  /// that plan is finished instead of rediscovering the already rewired NIC.
  std::filesystem::path state_path;
};

/// Phase 1 of bridge binding in the calling thread's namespace: plans (or reloads the
/// plan), writes the state as incomplete, applies every step idempotently, writes it as
/// complete and returns it. already_exists if a name it would create is taken by
/// something it did not make; the errors of discovery and netlink otherwise.
expected<binding_state> setup_bridge_binding(rtnl& nl, const bridge_options& options);

/// The same inside `ns` (on a thread of its own).
inline expected<binding_state> setup_bridge_binding(const netns_ref& ns, const bridge_options& options) {
  return run_in_netns(ns, [&]() -> expected<binding_state> {
    auto nl = rtnl::open();
    if (!nl)
      return nl.error();
    return setup_bridge_binding(*nl, options);
  });
}

} // namespace podvisor::net::binding
