#pragma once
// Finding the pod interface inside the pod's network namespace, as CNI left it: the
// interface holding the default route (or a named one), its MAC, MTU, IPv4 address and
// the routes through it, plus the resolver settings the guest should inherit. Runs in
// the calling thread's namespace (wrap it in run_in_netns).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "net/binding/netlink.hpp"
#include "net/binding/resolv_conf.hpp"
#include "net/dhcp/options.hpp"

namespace podvisor::net::binding {

/// What to look for.
struct discovery_options {
  /// The pod interface; empty: the one holding the IPv4 default route.
  std::string interface;
  /// The pod's resolv.conf; empty: none read (no DNS, no search list).
  std::filesystem::path resolv_conf;
};

/// The pod interface and what the guest will inherit from it.
struct pod_interface {
  link_info link;
  /// Its IPv4 address (the first, when CNI gave several).
  address_info address;
  /// The default route's gateway through it, if any.
  std::optional<dhcp::ipv4_address> gateway;
  /// Every main-table route through it, the kernel's connected routes included.
  std::vector<route_info> routes;
  resolver_config resolver;
};

/// Discovers the pod interface. not_found when there is no default route (and no name
/// was given), the interface does not exist or has no IPv4 address; the resolv.conf
/// errors of read_resolv_conf.
expected<pod_interface> discover(rtnl& nl, const discovery_options& options);

/// The routes a guest that takes over the pod's address needs in option 121 besides the
/// default route: gateway routes through the NIC, and on-link routes outside the
/// address's own subnet (CNIs that give a /32 reach their gateway that way), as routes
/// with gateway 0.0.0.0. Kernel-made connected routes are left out.
std::vector<dhcp::route> guest_routes(const pod_interface& pod);

} // namespace podvisor::net::binding
