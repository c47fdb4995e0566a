#include "net/binding/masquerade_binding.hpp"

#include "net/binding/nft_ruleset.hpp"
#include "net/binding/state_codec.hpp"
#include "net/binding/sysctl.hpp"
#include "net/binding/wiring.hpp"

namespace podvisor::net::binding {

namespace {
const std::string ip_forward = "net/ipv4/ip_forward";
} // namespace

expected<vm_network> parse_vm_network_cidr(const std::string& cidr) {
  auto bad = [&](const std::string& why) {
    return error{errc::invalid_argument, "vmNetworkCIDR \"" + cidr + "\": " + why};
  };
  auto slash = cidr.find('/');
  if (slash == std::string::npos)
    return bad("expected address/prefix");
  auto addr = dhcp::parse_ipv4(std::string_view{cidr}.substr(0, slash));
  auto plen = std::string_view{cidr}.substr(slash + 1);
  if (!addr)
    return bad("not an IPv4 network");
  if (plen.empty() || plen.size() > 2 || plen.find_first_not_of("0123456789") != std::string_view::npos)
    return bad("bad prefix length");
  int prefix = std::stoi(std::string{plen});
  if (prefix > 30)
    return bad("prefix above 30 leaves no room for gateway and guest");
  auto net = addr->to_uint() & dhcp::netmask(static_cast<std::uint8_t>(prefix)).to_uint();
  return vm_network{dhcp::ipv4_address::from_uint(net + 1), dhcp::ipv4_address::from_uint(net + 2),
                    static_cast<std::uint8_t>(prefix)};
}

expected<binding_state> setup_masquerade_binding(rtnl& nl, const masquerade_options& o) {
  auto fail = [](const error& e) { return e.with_context("masquerade binding"); };
  if (o.state_path.empty())
    return error{errc::invalid_argument, "masquerade binding: state_path is required"};
  auto network = parse_vm_network_cidr(o.vm_network_cidr);
  if (!network)
    return fail(network.error());

  auto prior = read_state(o.state_path);
  if (!prior && prior.error() != errc::not_found)
    return fail(prior.error());
  if (prior && prior->kind != binding_kind::masquerade)
    return fail(error{errc::conflict, o.state_path.string() + " holds a " + std::string{to_string(prior->kind)} + " binding"});

  // The NIC is untouched, so discovery gives the same answer on every run.
  auto pod = discover(nl, o.discovery);
  if (!pod)
    return fail(pod.error());

  binding_state s;
  s.kind = binding_kind::masquerade;
  s.pod_interface = pod->link.name;
  auto& g = s.guest;
  g.mac = o.guest_mac ? *o.guest_mac : prior ? prior->guest.mac : random_local_mac();
  g.address = network->guest;
  g.prefix = network->prefix;
  g.gateway = network->gateway;
  g.dns_servers = pod->resolver.nameservers;
  g.search_domains = pod->resolver.search;
  g.mtu = static_cast<std::uint16_t>(pod->link.mtu);
  g.hostname = o.hostname;
  g.tap = o.tap;
  g.bridge = bridge_name_for(pod->link.name);
  g.server_address = network->gateway;
  s.changes.bridge_address = address_info{0, network->gateway, network->prefix};
  s.changes.nft_table = o.nft_table;
  s.changes.bridge_mac = prior ? prior->changes.bridge_mac : random_local_mac();
  if (auto r = to_lease_config(g); !r)
    return fail(r.error());

  masquerade_rules rules{o.nft_table, pod->link.name, pod->address.address, network->guest, o.ports, o.excluded_ports};
  auto ruleset = render_masquerade_ruleset(rules);
  if (!ruleset)
    return fail(ruleset.error());

  if (prior) {
    s.changes.created_links = prior->changes.created_links;
    s.changes.sysctls = prior->changes.sysctls;
    // Unchanged inputs after a completed run: write nothing, only re-assert below.
    s.complete = prior->complete;
    if (!(s == *prior)) {
      s.complete = false;
      if (auto e = write_state(o.state_path, s); !e.ok())
        return fail(e);
    }
  } else {
    for (const auto& name : {g.bridge, g.tap})
      if (auto e = wiring::require_free(nl, name); !e.ok())
        return fail(e);
    s.changes.created_links = {g.bridge, g.tap};
    auto before = read_sysctl(ip_forward);
    if (!before)
      return fail(before.error());
    s.changes.sysctls = {{ip_forward, *before}};
    if (auto e = write_state(o.state_path, s); !e.ok())
      return fail(e);
  }

  auto bridge = wiring::ensure_bridge(nl, g.bridge, s.changes.bridge_mac, g.mtu, *s.changes.bridge_address);
  if (!bridge)
    return fail(bridge.error());
  if (auto e = wiring::ensure_tap_port(nl, g.tap, o.tap_owner, g.mtu, bridge->index); !e.ok())
    return fail(e);
  if (auto e = write_sysctl(ip_forward, "1"); !e.ok())
    return fail(e);
  if (auto e = run_nft(*ruleset); !e.ok())
    return fail(e);
  if (!s.complete) {
    s.complete = true;
    if (auto e = write_state(o.state_path, s); !e.ok())
      return fail(e);
  }
  return s;
}

} // namespace podvisor::net::binding
