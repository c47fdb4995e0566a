#include "net/binding/wiring.hpp"

#include "net/binding/tap.hpp"

namespace podvisor::net::binding::wiring {

error require_free(rtnl& nl, const std::string& name) {
  auto l = nl.link(name);
  if (l)
    return error{errc::already_exists, "interface " + name + " exists already and was not made by this binding"};
  if (l.error() != errc::not_found)
    return l.error();
  return {};
}

expected<link_info> ensure_bridge(rtnl& nl, const std::string& name, const dhcp::mac_address& mac, std::uint32_t mtu,
                                  const address_info& address) {
  auto l = nl.link(name);
  if (!l && l.error() == errc::not_found) {
    if (auto e = nl.add_link(name, "bridge", mtu); !e.ok() && e != errc::already_exists)
      return e;
    l = nl.link(name);
  }
  if (!l)
    return l.error();
  if (l->type != "bridge")
    return error{errc::conflict, "interface " + name + " is a " + (l->type.empty() ? "device" : l->type) + ", not a bridge"};
  link_change c;
  if (l->mac != mac)
    c.mac = mac;
  if (l->mtu != mtu)
    c.mtu = mtu;
  if (!l->up)
    c.up = true;
  if (c.mac || c.mtu || c.up)
    if (auto e = nl.set_link(l->index, c); !e.ok())
      return e;
  auto a = address;
  a.index = l->index;
  if (auto e = nl.add_address(a); !e.ok())
    return e;
  return l;
}

error ensure_tap_port(rtnl& nl, const std::string& name, std::optional<uid_t> owner, std::uint32_t mtu, int bridge) {
  auto l = nl.link(name);
  if (l && l->type != "tun")
    return error{errc::conflict, "interface " + name + " is a " + (l->type.empty() ? "device" : l->type) + ", not a tap"};
  if (!l && l.error() != errc::not_found)
    return l.error();
  if (!l || owner) // creates it, or re-asserts owner and persistence
    if (auto e = ensure_tap(name, owner); !e.ok())
      return e;
  if (!l)
    l = nl.link(name);
  if (!l)
    return l.error();
  link_change c;
  if (l->mtu != mtu)
    c.mtu = mtu;
  if (l->master != bridge)
    c.master = bridge;
  if (!l->up)
    c.up = true;
  if (c.mtu || c.master || c.up)
    return nl.set_link(l->index, c);
  return {};
}

error remove_link(rtnl& nl, const std::string& name, const std::string& kind) {
  auto l = nl.link(name);
  if (!l)
    return l.error() == errc::not_found ? error{} : l.error();
  if (!kind.empty() && l->type != kind)
    return {};
  auto e = nl.delete_link(l->index);
  return e == errc::not_found ? error{} : e;
}

std::string ifname(std::string name) {
  if (name.size() > 15)
    name.resize(15);
  return name;
}

} // namespace podvisor::net::binding::wiring
