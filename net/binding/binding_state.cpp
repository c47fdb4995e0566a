#include "net/binding/binding_state.hpp"

#include <random>

namespace podvisor::net::binding {

std::string_view to_string(binding_kind k) {
  switch (k) {
  case binding_kind::bridge:
    return "bridge";
  case binding_kind::masquerade:
    return "masquerade";
  }
  return "unknown";
}

std::optional<binding_kind> parse_binding_kind(std::string_view name) {
  for (auto k : {binding_kind::bridge, binding_kind::masquerade})
    if (to_string(k) == name)
      return k;
  return std::nullopt;
}

std::string_view to_string(l4_protocol p) {
  switch (p) {
  case l4_protocol::tcp:
    return "tcp";
  case l4_protocol::udp:
    return "udp";
  }
  return "unknown";
}

std::optional<l4_protocol> parse_l4_protocol(std::string_view name) {
  if (name == "tcp" || name == "TCP")
    return l4_protocol::tcp;
  if (name == "udp" || name == "UDP")
    return l4_protocol::udp;
  return std::nullopt;
}

expected<dhcp::lease_config> to_lease_config(const guest_config& g) {
  dhcp::lease_config c;
  c.client_mac = g.mac;
  c.address = g.address;
  c.prefix = g.prefix;
  c.gateway = g.gateway;
  c.routes = g.routes;
  c.dns_servers = g.dns_servers;
  c.search_domains = g.search_domains;
  c.mtu = g.mtu;
  c.hostname = g.hostname;
  c.server_address = g.server_address;
  c.lease_seconds = dhcp::infinite_lease;
  if (auto e = dhcp::validate(c); !e.ok())
    return e.with_context("lease for guest " + dhcp::to_string(g.mac));
  return c;
}

std::string bridge_name_for(std::string_view pod_interface) {
  std::string name = "k6t-" + std::string{pod_interface};
  if (name.size() > 15)
    name.resize(15);
  return name;
}

dhcp::mac_address random_local_mac() {
  std::random_device rd;
  dhcp::mac_address m;
  for (auto& o : m.octets)
    o = static_cast<std::uint8_t>(rd());
  m.octets[0] = static_cast<std::uint8_t>((m.octets[0] & 0xfe) | 0x02); // unicast, local
  return m;
}

} // namespace podvisor::net::binding
