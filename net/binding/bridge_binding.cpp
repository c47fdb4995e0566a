#include "net/binding/bridge_binding.hpp"

#include <linux/rtnetlink.h>

#include "net/binding/state_codec.hpp"
#include "net/binding/sysctl.hpp"
#include "net/binding/wiring.hpp"

namespace podvisor::net::binding {

namespace {

/// With the pod's address still on the dummy, the namespace would answer ARP for it on
/// the bridge and steal the guest's traffic; KubeVirt sets arp_ignore=1 for that reason
/// (answer only for addresses of the receiving interface).
const std::string arp_ignore = "net/ipv4/conf/all/arp_ignore";

expected<binding_state> plan(rtnl& nl, const bridge_options& o) {
  auto pod = discover(nl, o.discovery);
  if (!pod)
    return pod.error();
  binding_state s;
  s.kind = binding_kind::bridge;
  s.pod_interface = pod->link.name;
  auto& g = s.guest;
  g.mac = o.guest_mac.value_or(pod->link.mac);
  g.address = pod->address.address;
  g.prefix = pod->address.prefix;
  g.gateway = pod->gateway;
  g.routes = guest_routes(*pod);
  g.dns_servers = pod->resolver.nameservers;
  g.search_domains = pod->resolver.search;
  g.mtu = static_cast<std::uint16_t>(pod->link.mtu);
  g.hostname = o.hostname;
  g.tap = o.tap;
  g.bridge = bridge_name_for(pod->link.name);
  g.server_address = o.server_address;

  moved_nic nic;
  nic.index = pod->link.index;
  nic.original_name = pod->link.name;
  nic.renamed_to = wiring::ifname(pod->link.name + "-nic");
  nic.original_mac = pod->link.mac;
  nic.new_mac = random_local_mac();
  nic.address = pod->address;
  for (const auto& r : pod->routes)
    if (r.protocol != RTPROT_KERNEL)
      nic.routes.push_back(r);
  s.changes.nic = std::move(nic);
  s.changes.bridge_address = address_info{0, o.server_address, 32};
  s.changes.bridge_mac = random_local_mac();
  s.changes.created_links = {g.bridge, g.tap, pod->link.name};

  for (const auto& name : {g.bridge, g.tap, s.changes.nic->renamed_to})
    if (auto e = wiring::require_free(nl, name); !e.ok())
      return e;
  if (auto r = to_lease_config(g); !r)
    return r.error();
  auto before = read_sysctl(arp_ignore);
  if (!before)
    return before.error();
  s.changes.sysctls = {{arp_ignore, *before}};
  return s;
}

error apply(rtnl& nl, const binding_state& s, const bridge_options& o) {
  const auto& g = s.guest;
  const auto& n = *s.changes.nic;
  if (auto e = write_sysctl(arp_ignore, "1"); !e.ok())
    return e;
  auto bridge = wiring::ensure_bridge(nl, g.bridge, s.changes.bridge_mac, g.mtu, *s.changes.bridge_address);
  if (!bridge)
    return bridge.error();
  if (auto e = wiring::ensure_tap_port(nl, g.tap, o.tap_owner, g.mtu, bridge->index); !e.ok())
    return e;

  auto nic = nl.link(n.index);
  if (!nic)
    return nic.error().with_context("pod interface " + n.original_name + " (ifindex " + std::to_string(n.index) + ")");
  if (nic->name != n.original_name && nic->name != n.renamed_to)
    return error{errc::conflict, "ifindex " + std::to_string(n.index) + " is now " + nic->name + ", not the pod interface " +
                                     n.original_name};
  auto nic_address = n.address;
  nic_address.index = n.index;
  if (auto e = nl.delete_address(nic_address); !e.ok())
    return e;
  if (nic->name != n.renamed_to) {
    link_change down;
    down.up = false;
    if (auto e = nl.set_link(n.index, down); !e.ok())
      return e;
    link_change rename;
    rename.name = n.renamed_to;
    if (auto e = nl.set_link(n.index, rename); !e.ok())
      return e;
  }
  link_change c;
  if (nic->mac != n.new_mac)
    c.mac = n.new_mac;
  if (nic->master != bridge->index)
    c.master = bridge->index;
  c.up = true;
  if (auto e = nl.set_link(n.index, c); !e.ok())
    return e;

  // The dummy keeps the pod's address under the pod interface's name (left down, so it
  // adds no connected route that would swallow traffic to the pod's subnet). Kernels
  // built without the dummy driver get an empty, down bridge instead, which holds an
  // address just the same.
  auto dummy = nl.link(n.original_name);
  if (!dummy && dummy.error() == errc::not_found) {
    auto e = nl.add_link(n.original_name, "dummy");
    if (e == errc::unsupported)
      e = nl.add_link(n.original_name, "bridge");
    if (!e.ok() && e != errc::already_exists)
      return e;
    dummy = nl.link(n.original_name);
  }
  if (!dummy)
    return dummy.error();
  if (dummy->index == n.index || (dummy->type != "dummy" && dummy->type != "bridge"))
    return error{errc::conflict, "interface " + n.original_name + " is a " + (dummy->type.empty() ? "device" : dummy->type) +
                                     ", not the placeholder for the pod's address"};
  auto kept = n.address;
  kept.index = dummy->index;
  return nl.add_address(kept);
}

} // namespace

expected<binding_state> setup_bridge_binding(rtnl& nl, const bridge_options& o) {
  if (o.state_path.empty())
    return error{errc::invalid_argument, "bridge binding: state_path is required"};
  binding_state s;
  auto prior = read_state(o.state_path);
  if (prior) {
    if (prior->kind != binding_kind::bridge || !prior->changes.nic)
      return error{errc::conflict, "bridge binding: " + o.state_path.string() + " holds a " +
                                       std::string{to_string(prior->kind)} + " binding"};
    s = std::move(*prior);
  } else if (prior.error() == errc::not_found) {
    auto p = plan(nl, o);
    if (!p)
      return p.error().with_context("bridge binding");
    s = std::move(*p);
    if (auto e = write_state(o.state_path, s); !e.ok())
      return e.with_context("bridge binding");
  } else {
    return prior.error().with_context("bridge binding");
  }
  if (auto e = apply(nl, s, o); !e.ok())
    return e.with_context("bridge binding " + s.pod_interface);
  if (!s.complete) {
    s.complete = true;
    if (auto e = write_state(o.state_path, s); !e.ok())
      return e.with_context("bridge binding");
  }
  return s;
}

} // namespace podvisor::net::binding
