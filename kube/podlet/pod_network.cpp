#include "kube/podlet/pod_network.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include "net/binding/netlink.hpp"
#include "net/binding/netns.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::kube::podlet {

namespace {

namespace fs = std::filesystem;
using net::binding::address_info;
using net::binding::link_change;
using net::binding::netns_ref;
using net::binding::rtnl;
using net::binding::route_info;

error errno_error(std::string what, int err) {
  return error{err == EPERM || err == EACCES ? errc::forbidden : errc::io_error, what + ": " + std::strerror(err)};
}

/// The prefix length of "A.B.C.D/N".
expected<std::uint8_t> cidr_prefix(const std::string& cidr) {
  const auto slash = cidr.find('/');
  unsigned n = 0;
  const char* first = cidr.data() + (slash == std::string::npos ? cidr.size() : slash + 1);
  const char* last = cidr.data() + cidr.size();
  auto [end, ec] = std::from_chars(first, last, n);
  if (slash == std::string::npos || ec != std::errc{} || end != last || first == last || n > 32)
    return error{errc::invalid_argument, "pod CIDR '" + cidr + "' is not of the form A.B.C.D/N"};
  return static_cast<std::uint8_t>(n);
}

expected<net::dhcp::ipv4_address> ipv4(const std::string& text, const char* what) {
  auto a = net::dhcp::parse_ipv4(text);
  if (!a)
    return error{errc::invalid_argument, std::string{what} + " '" + text + "' is not an IPv4 address"};
  return *a;
}

/// The node side: the veth pair (peer "eth0" straight into the pod), the veth enslaved
/// to the pod bridge and up — `ip link set VETH master BRIDGE up` in one request.
error wire_node_side(const pod_wiring& w, int pod_netns_fd) {
  auto nl = rtnl::open();
  if (!nl)
    return nl.error();
  auto bridge = nl->link(w.node_bridge);
  if (!bridge)
    return bridge.error().with_context("the node's pod bridge");
  if (auto e = nl->add_veth(w.veth, "eth0", pod_netns_fd))
    return e;
  auto veth = nl->link(w.veth);
  if (!veth)
    return veth.error();
  link_change c;
  c.master = bridge->index;
  c.up = true;
  if (auto e = nl->set_link(veth->index, c))
    return e.with_context("attach " + w.veth + " to " + w.node_bridge);
  return {};
}

/// The pod side: lo up, the address on eth0, eth0 up, the default route via the gateway.
error wire_pod_side(const net::dhcp::ipv4_address& ip, std::uint8_t prefix, const net::dhcp::ipv4_address& gateway) {
  auto nl = rtnl::open();
  if (!nl)
    return nl.error();
  link_change up;
  up.up = true;
  auto lo = nl->link("lo");
  if (!lo)
    return lo.error();
  if (auto e = nl->set_link(lo->index, up))
    return e.with_context("set lo up");
  auto eth0 = nl->link("eth0");
  if (!eth0)
    return eth0.error();
  if (auto e = nl->add_address(address_info{eth0->index, ip, prefix}))
    return e;
  if (auto e = nl->set_link(eth0->index, up))
    return e.with_context("set eth0 up");
  route_info def; // 0.0.0.0/0, scope universe, protocol boot: what `ip route add` makes
  def.gateway = gateway;
  def.oif = eth0->index;
  return nl->add_route(def);
}

/// In the calling thread's (new) network namespace, links created from now on have no
/// IPv6: the cluster network is IPv4-only, and every new link would otherwise start
/// IPv6 autoconfiguration (a link-local address, duplicate address detection, multicast
/// listener reports) in kernel workers, a measurable share of the CPU when many pods
/// start at once. lo, which already exists, keeps ::1 for programs that use it. A kernel
/// without IPv6 has nothing to turn off.
error links_without_ipv6() {
  // /proc/sys/net shows the network namespace of the thread that opens it.
  const char* knob = "/proc/sys/net/ipv6/conf/default/disable_ipv6";
  int fd = ::open(knob, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? error{} : errno_error(std::string{"open "} + knob, errno);
  const bool written = ::write(fd, "1\n", 2) == 2;
  const int err = errno;
  ::close(fd);
  return written ? error{} : errno_error(std::string{"write "} + knob, err);
}

} // namespace

error create_netns_file(const fs::path& file) {
  const std::string path = file.string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  const bool created = fd >= 0;
  if (fd < 0 && errno != EEXIST)
    return errno_error("create " + path, errno);
  if (fd >= 0)
    ::close(fd);
  // unshare() moves only the calling thread, so a thread of its own does it and ends;
  // the bind mount (in the process's mount namespace) keeps the namespace alive.
  error result;
  std::thread{[&] {
    if (::unshare(CLONE_NEWNET) != 0)
      result = errno_error("unshare a network namespace for " + path, errno);
    else if (auto e = links_without_ipv6(); e)
      result = e.with_context(path);
    else if (::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0)
      result = errno_error("bind mount a new network namespace onto " + path, errno);
  }}.join();
  if (result && created)
    ::unlink(path.c_str());
  return result;
}

error wire_pod_network(const pod_wiring& w, const fs::path& pod_netns) {
  auto prefix = cidr_prefix(w.pod_cidr);
  if (!prefix)
    return prefix.error();
  auto ip = ipv4(w.ip, "pod IP");
  if (!ip)
    return ip.error();
  auto gateway = ipv4(w.gateway, "gateway");
  if (!gateway)
    return gateway.error();
  const std::string pod_path = pod_netns.string();
  const int pod_fd = ::open(pod_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (pod_fd < 0)
    return errno_error("open the pod's network namespace " + pod_path, errno);
  auto node_side = net::binding::run_in_netns(netns_ref::from_path(w.node_netns),
                                              [&] { return wire_node_side(w, pod_fd); });
  ::close(pod_fd);
  if (node_side)
    return node_side.with_context("node netns " + w.node_netns);
  auto pod_side = net::binding::run_in_netns(netns_ref::from_path(pod_path),
                                             [&] { return wire_pod_side(*ip, *prefix, *gateway); });
  if (pod_side)
    return pod_side.with_context("pod netns " + pod_path);
  return {};
}

error remove_pod_veth(const std::string& node_netns, const std::string& veth) {
  net::binding::netns_thread node{netns_ref::from_path(node_netns)};
  if (node.ready() == errc::not_found)
    return {}; // the node's namespace is gone, and its links with it
  auto e = node.run([&]() -> error {
    auto nl = rtnl::open();
    if (!nl)
      return nl.error();
    auto l = nl->link(veth);
    if (!l)
      return l.error() == errc::not_found ? error{} : l.error();
    auto d = nl->delete_link(l->index);
    return d == errc::not_found ? error{} : d;
  });
  if (e)
    return e.with_context("remove veth " + veth + " from node netns " + node_netns);
  return {};
}

} // namespace podvisor::kube::podlet
