#include "net/binding/netlink.hpp"

#include <cstring>

#include <linux/if.h>
#include <linux/rtnetlink.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

namespace podvisor::net::binding {

namespace {

nl_sock* as_sock(void* p) { return static_cast<nl_sock*>(p); }

template <class T, void (*Free)(T*)>
struct nl_deleter {
  void operator()(T* p) const {
    if (p)
      Free(p);
  }
};
void free_cache(nl_cache* c) { nl_cache_free(c); }
void put_link(rtnl_link* l) { rtnl_link_put(l); }
void put_addr(nl_addr* a) { nl_addr_put(a); }
void put_rtaddr(rtnl_addr* a) { rtnl_addr_put(a); }
void put_route(rtnl_route* r) { rtnl_route_put(r); }
using cache_ptr = std::unique_ptr<nl_cache, nl_deleter<nl_cache, free_cache>>;
using link_ptr = std::unique_ptr<rtnl_link, nl_deleter<rtnl_link, put_link>>;
using addr_ptr = std::unique_ptr<nl_addr, nl_deleter<nl_addr, put_addr>>;
using rtaddr_ptr = std::unique_ptr<rtnl_addr, nl_deleter<rtnl_addr, put_rtaddr>>;
using route_ptr = std::unique_ptr<rtnl_route, nl_deleter<rtnl_route, put_route>>;

addr_ptr make_ipv4(const dhcp::ipv4_address& a, std::uint8_t prefix) {
  addr_ptr p{nl_addr_build(AF_INET, a.octets.data(), 4)};
  if (p)
    nl_addr_set_prefixlen(p.get(), prefix);
  return p;
}

dhcp::ipv4_address read_ipv4(nl_addr* a) {
  dhcp::ipv4_address out;
  if (a && nl_addr_get_family(a) == AF_INET && nl_addr_get_len(a) == 4)
    std::memcpy(out.octets.data(), nl_addr_get_binary_addr(a), 4);
  return out;
}

link_info to_info(rtnl_link* l) {
  link_info out;
  out.index = rtnl_link_get_ifindex(l);
  if (const char* n = rtnl_link_get_name(l))
    out.name = n;
  if (const char* t = rtnl_link_get_type(l))
    out.type = t;
  if (nl_addr* mac = rtnl_link_get_addr(l); mac && nl_addr_get_len(mac) == 6)
    std::memcpy(out.mac.octets.data(), nl_addr_get_binary_addr(mac), 6);
  out.mtu = rtnl_link_get_mtu(l);
  out.up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
  out.master = rtnl_link_get_master(l);
  return out;
}

} // namespace

error netlink_error(int rc, std::string_view what) {
  int e = rc < 0 ? -rc : rc;
  errc code = errc::io_error;
  switch (e) {
  case NLE_EXIST:
    code = errc::already_exists;
    break;
  case NLE_OBJ_NOTFOUND:
  case NLE_NODEV:
  case NLE_NOADDR:
    code = errc::not_found;
    break;
  case NLE_PERM:
    code = errc::forbidden;
    break;
  case NLE_INVAL:
  case NLE_RANGE:
    code = errc::invalid_argument;
    break;
  case NLE_BUSY:
    code = errc::conflict;
    break;
  case NLE_OPNOTSUPP:
    code = errc::unsupported;
    break;
  default:
    break;
  }
  return error{code, std::string{what} + ": " + nl_geterror(e)};
}

void rtnl::socket_deleter::operator()(void* sock) const {
  if (sock)
    nl_socket_free(as_sock(sock));
}

rtnl::rtnl(rtnl&&) noexcept = default;
rtnl& rtnl::operator=(rtnl&&) noexcept = default;
rtnl::~rtnl() = default;

expected<rtnl> rtnl::open() {
  nl_sock* s = nl_socket_alloc();
  if (!s)
    return error{errc::resource_exhausted, "netlink: cannot allocate a socket"};
  if (int rc = nl_connect(s, NETLINK_ROUTE); rc < 0) {
    nl_socket_free(s);
    return netlink_error(rc, "netlink: connect NETLINK_ROUTE");
  }
  return rtnl{s};
}

expected<std::vector<link_info>> rtnl::links() {
  nl_cache* raw = nullptr;
  if (int rc = rtnl_link_alloc_cache(as_sock(sock_.get()), AF_UNSPEC, &raw); rc < 0)
    return netlink_error(rc, "list links");
  cache_ptr cache{raw};
  std::vector<link_info> out;
  for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o))
    out.push_back(to_info(reinterpret_cast<rtnl_link*>(o)));
  return out;
}

expected<link_info> rtnl::link(std::string_view name) {
  std::string n{name};
  rtnl_link* raw = nullptr;
  if (int rc = rtnl_link_get_kernel(as_sock(sock_.get()), 0, n.c_str(), &raw); rc < 0)
    return netlink_error(rc, "link " + n);
  link_ptr l{raw};
  return to_info(raw);
}

expected<link_info> rtnl::link(int index) {
  rtnl_link* raw = nullptr;
  if (int rc = rtnl_link_get_kernel(as_sock(sock_.get()), index, nullptr, &raw); rc < 0)
    return netlink_error(rc, "link #" + std::to_string(index));
  link_ptr l{raw};
  return to_info(raw);
}

error rtnl::add_link(std::string_view name, std::string_view kind, std::optional<std::uint32_t> mtu) {
  std::string n{name};
  std::string k{kind};
  link_ptr l{rtnl_link_alloc()};
  if (!l)
    return error{errc::resource_exhausted, "add link " + n + ": out of memory"};
  rtnl_link_set_name(l.get(), n.c_str());
  if (int rc = rtnl_link_set_type(l.get(), k.c_str()); rc < 0)
    return netlink_error(rc, "add " + k + " " + n);
  if (mtu)
    rtnl_link_set_mtu(l.get(), *mtu);
  if (int rc = rtnl_link_add(as_sock(sock_.get()), l.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0)
    return netlink_error(rc, "add " + k + " " + n);
  return {};
}

error rtnl::add_veth(std::string_view name, std::string_view peer_name, int peer_netns_fd) {
  std::string n{name};
  std::string p{peer_name};
  const std::string what = "add veth " + n + " with peer " + p + " in netns fd " + std::to_string(peer_netns_fd);
  if (peer_netns_fd < 0)
    return error{errc::invalid_argument, what + ": no namespace descriptor"};
  // Freeing the veth frees its peer too; the peer handle below is a reference of its own.
  link_ptr l{rtnl_link_veth_alloc()};
  if (!l)
    return error{errc::resource_exhausted, what + ": out of memory"};
  link_ptr peer{rtnl_link_veth_get_peer(l.get())};
  if (!peer)
    return error{errc::internal, what + ": libnl made a veth without a peer"};
  rtnl_link_set_name(l.get(), n.c_str());
  rtnl_link_set_name(peer.get(), p.c_str());
  rtnl_link_set_ns_fd(peer.get(), peer_netns_fd);
  if (int rc = rtnl_link_add(as_sock(sock_.get()), l.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0)
    return netlink_error(rc, what);
  return {};
}

error rtnl::delete_link(int index) {
  link_ptr l{rtnl_link_alloc()};
  if (!l)
    return error{errc::resource_exhausted, "delete link: out of memory"};
  rtnl_link_set_ifindex(l.get(), index);
  if (int rc = rtnl_link_delete(as_sock(sock_.get()), l.get()); rc < 0)
    return netlink_error(rc, "delete link #" + std::to_string(index));
  return {};
}

error rtnl::set_link(int index, const link_change& change) {
  std::string what = "change link #" + std::to_string(index);
  rtnl_link* raw = nullptr;
  if (int rc = rtnl_link_get_kernel(as_sock(sock_.get()), index, nullptr, &raw); rc < 0)
    return netlink_error(rc, what);
  link_ptr orig{raw};
  link_ptr c{rtnl_link_alloc()};
  if (!c)
    return error{errc::resource_exhausted, what + ": out of memory"};
  if (change.name)
    rtnl_link_set_name(c.get(), change.name->c_str());
  addr_ptr mac;
  if (change.mac) {
    mac.reset(nl_addr_build(AF_LLC, change.mac->octets.data(), 6));
    if (!mac)
      return error{errc::resource_exhausted, what + ": out of memory"};
    rtnl_link_set_addr(c.get(), mac.get());
  }
  if (change.mtu)
    rtnl_link_set_mtu(c.get(), *change.mtu);
  if (change.up) {
    if (*change.up)
      rtnl_link_set_flags(c.get(), IFF_UP);
    else
      rtnl_link_unset_flags(c.get(), IFF_UP);
  }
  if (change.master)
    rtnl_link_set_master(c.get(), *change.master);
  if (int rc = rtnl_link_change(as_sock(sock_.get()), orig.get(), c.get(), 0); rc < 0)
    return netlink_error(rc, what);
  return {};
}

expected<std::vector<address_info>> rtnl::addresses() {
  nl_cache* raw = nullptr;
  if (int rc = rtnl_addr_alloc_cache(as_sock(sock_.get()), &raw); rc < 0)
    return netlink_error(rc, "list addresses");
  cache_ptr cache{raw};
  std::vector<address_info> out;
  for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_family(a) != AF_INET)
      continue;
    address_info info;
    info.index = rtnl_addr_get_ifindex(a);
    info.address = read_ipv4(rtnl_addr_get_local(a));
    info.prefix = static_cast<std::uint8_t>(rtnl_addr_get_prefixlen(a));
    out.push_back(info);
  }
  return out;
}

namespace {
rtaddr_ptr make_rtaddr(const address_info& a) {
  rtaddr_ptr r{rtnl_addr_alloc()};
  addr_ptr local = make_ipv4(a.address, a.prefix);
  if (!r || !local)
    return nullptr;
  rtnl_addr_set_ifindex(r.get(), a.index);
  rtnl_addr_set_family(r.get(), AF_INET);
  if (rtnl_addr_set_local(r.get(), local.get()) < 0)
    return nullptr;
  rtnl_addr_set_prefixlen(r.get(), a.prefix);
  return r;
}
std::string describe(const address_info& a) {
  return dhcp::to_string(a.address) + "/" + std::to_string(a.prefix) + " on #" + std::to_string(a.index);
}
} // namespace

error rtnl::add_address(const address_info& a) {
  auto r = make_rtaddr(a);
  if (!r)
    return error{errc::resource_exhausted, "add address: out of memory"};
  int rc = rtnl_addr_add(as_sock(sock_.get()), r.get(), NLM_F_EXCL);
  if (rc < 0 && -rc != NLE_EXIST)
    return netlink_error(rc, "add address " + describe(a));
  return {};
}

error rtnl::delete_address(const address_info& a) {
  auto r = make_rtaddr(a);
  if (!r)
    return error{errc::resource_exhausted, "delete address: out of memory"};
  int rc = rtnl_addr_delete(as_sock(sock_.get()), r.get(), 0);
  if (rc < 0 && -rc != NLE_NOADDR && -rc != NLE_OBJ_NOTFOUND && -rc != NLE_NODEV)
    return netlink_error(rc, "delete address " + describe(a));
  return {};
}

expected<std::vector<route_info>> rtnl::routes() {
  nl_cache* raw = nullptr;
  if (int rc = rtnl_route_alloc_cache(as_sock(sock_.get()), AF_INET, 0, &raw); rc < 0)
    return netlink_error(rc, "list routes");
  cache_ptr cache{raw};
  std::vector<route_info> out;
  for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    if (rtnl_route_get_family(r) != AF_INET || rtnl_route_get_table(r) != RT_TABLE_MAIN ||
        rtnl_route_get_type(r) != RTN_UNICAST || rtnl_route_get_nnexthops(r) != 1)
      continue;
    route_info info;
    nl_addr* dst = rtnl_route_get_dst(r);
    info.destination = read_ipv4(dst);
    info.prefix = dst ? static_cast<std::uint8_t>(nl_addr_get_prefixlen(dst)) : 0;
    info.scope = rtnl_route_get_scope(r);
    info.protocol = rtnl_route_get_protocol(r);
    info.priority = rtnl_route_get_priority(r);
    rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
    info.oif = rtnl_route_nh_get_ifindex(nh);
    if (nl_addr* gw = rtnl_route_nh_get_gateway(nh); gw && nl_addr_get_len(gw) == 4)
      info.gateway = read_ipv4(gw);
    out.push_back(info);
  }
  return out;
}

namespace {
/// RTM_NEWROUTE for `r` with `flags` (libnl adds NLM_F_CREATE).
error send_route(nl_sock* sock, const route_info& r, int flags, const std::string& what) {
  route_ptr route{rtnl_route_alloc()};
  addr_ptr dst = make_ipv4(r.destination, r.prefix);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  if (!route || !dst || !nh) {
    if (nh)
      rtnl_route_nh_free(nh);
    return error{errc::resource_exhausted, what + ": out of memory"};
  }
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  rtnl_route_set_scope(route.get(), r.scope);
  rtnl_route_set_protocol(route.get(), r.protocol);
  if (r.priority)
    rtnl_route_set_priority(route.get(), r.priority);
  if (int rc = rtnl_route_set_dst(route.get(), dst.get()); rc < 0)
    return netlink_error(rc, what);
  rtnl_route_nh_set_ifindex(nh, r.oif);
  addr_ptr gw;
  if (r.gateway) {
    gw = make_ipv4(*r.gateway, 32);
    if (!gw) {
      rtnl_route_nh_free(nh);
      return error{errc::resource_exhausted, what + ": out of memory"};
    }
    rtnl_route_nh_set_gateway(nh, gw.get());
  }
  rtnl_route_add_nexthop(route.get(), nh); // the route owns nh from here on
  if (int rc = rtnl_route_add(sock, route.get(), flags); rc < 0)
    return netlink_error(rc, what);
  return {};
}

std::string describe(const route_info& r) {
  return dhcp::to_string(r.destination) + "/" + std::to_string(r.prefix);
}
} // namespace

error rtnl::add_route(const route_info& r) {
  auto e = send_route(as_sock(sock_.get()), r, NLM_F_EXCL, "add route " + describe(r));
  return e == errc::already_exists ? error{} : e;
}

error rtnl::replace_route(const route_info& r) {
  return send_route(as_sock(sock_.get()), r, NLM_F_REPLACE, "replace route " + describe(r));
}

} // namespace podvisor::net::binding
