#include "net/binding/discovery.hpp"

#include <algorithm>

#include <linux/rtnetlink.h>

namespace podvisor::net::binding {

expected<pod_interface> discover(rtnl& nl, const discovery_options& options) {
  auto routes = nl.routes();
  if (!routes)
    return routes.error().with_context("discover pod interface");
  pod_interface pod;
  const route_info* default_route = nullptr;
  for (const auto& r : *routes)
    if (r.prefix == 0 && r.gateway && (!default_route || r.priority < default_route->priority))
      default_route = &r;

  expected<link_info> link = error{errc::not_found, "no IPv4 default route to find the pod interface by"};
  if (!options.interface.empty())
    link = nl.link(options.interface);
  else if (default_route)
    link = nl.link(default_route->oif);
  if (!link)
    return link.error().with_context("discover pod interface");
  pod.link = std::move(*link);

  auto addresses = nl.addresses();
  if (!addresses)
    return addresses.error().with_context("discover pod interface " + pod.link.name);
  auto a = std::find_if(addresses->begin(), addresses->end(), [&](const address_info& x) { return x.index == pod.link.index; });
  if (a == addresses->end())
    return error{errc::not_found, "pod interface " + pod.link.name + " has no IPv4 address"};
  pod.address = *a;

  for (const auto& r : *routes) {
    if (r.oif != pod.link.index)
      continue;
    pod.routes.push_back(r);
    if (r.prefix == 0 && r.gateway && !pod.gateway)
      pod.gateway = r.gateway;
  }

  if (!options.resolv_conf.empty()) {
    auto resolver = read_resolv_conf(options.resolv_conf);
    if (!resolver)
      return resolver.error().with_context("discover pod interface " + pod.link.name);
    pod.resolver = std::move(*resolver);
  }
  return pod;
}

std::vector<dhcp::route> guest_routes(const pod_interface& pod) {
  std::vector<dhcp::route> out;
  auto mask = dhcp::netmask(pod.address.prefix).to_uint();
  auto subnet = pod.address.address.to_uint() & mask;
  for (const auto& r : pod.routes) {
    if (r.prefix == 0 || r.protocol == RTPROT_KERNEL)
      continue;
    if (r.gateway) {
      out.push_back(dhcp::route{r.destination, r.prefix, *r.gateway});
    } else if (r.scope == RT_SCOPE_LINK && r.prefix >= pod.address.prefix &&
               (r.destination.to_uint() & mask) == subnet) {
      continue; // inside the guest's own subnet: the connected route covers it
    } else if (r.scope == RT_SCOPE_LINK) {
      out.push_back(dhcp::route{r.destination, r.prefix, dhcp::ipv4_address{}});
    }
  }
  return out;
}

} // namespace podvisor::net::binding
