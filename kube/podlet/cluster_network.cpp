#include "kube/podlet/cluster_network.hpp"

#include <system_error>

#include "kube/podlet/mounts.hpp"
#include "kube/podlet/pod_network.hpp"
#include "net/binding/netlink.hpp"
#include "net/binding/netns.hpp"
#include "net/binding/sysctl.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::kube::podlet {

namespace {

namespace fs = std::filesystem;
using net::binding::link_change;
using net::binding::rtnl;
using net::binding::route_info;

constexpr const char* node_bridge_name = "cbr0";

/// The calling thread's network namespace (the host's), as a path netns_thread can open.
constexpr const char* own_netns = "/proc/thread-self/ns/net";

std::string octets(std::uint8_t a, std::uint8_t b, int c, int d) {
  return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." + std::to_string(d);
}

std::string host_veth(const cluster_network_config& c, std::size_t i) {
  return "pv" + c.id + "n" + std::to_string(i);
}

fs::path netns_dir(const cluster_network_config& c) { return c.state_dir / "netns"; }

/// `ip route replace CIDR via GATEWAY dev OIF` (all planned values, so they parse).
error route_via(rtnl& nl, const std::string& cidr, const std::string& gateway, int oif) {
  const auto slash = cidr.find('/');
  route_info r;
  r.destination = net::dhcp::parse_ipv4(cidr.substr(0, slash)).value_or(net::dhcp::ipv4_address{});
  r.prefix = static_cast<std::uint8_t>(std::stoi(cidr.substr(slash + 1)));
  r.gateway = net::dhcp::parse_ipv4(gateway);
  r.oif = oif;
  return nl.replace_route(r);
}

/// A bridge `name` with `address`/24, up, in `nl`'s namespace (planned values, so the
/// address parses); its ifindex. The host's cluster bridge and each node's pod bridge
/// are made so.
expected<int> add_bridge(rtnl& nl, const std::string& name, const std::string& address) {
  if (auto e = nl.add_link(name, "bridge"))
    return e;
  auto bridge = nl.link(name);
  if (!bridge)
    return bridge.error();
  auto ip = net::dhcp::parse_ipv4(address);
  if (auto e = nl.add_address({bridge->index, ip.value_or(net::dhcp::ipv4_address{}), 24}))
    return e;
  link_change up;
  up.up = true;
  if (auto e = nl.set_link(bridge->index, up))
    return e.with_context("set " + name + " up");
  return bridge->index;
}

/// Inside node `n`'s namespace: the pod bridge with the pod gateway's address, up, and
/// IPv4 forwarding on (eth0, lo and the default route are wire_pod_network's).
error build_node_inside(const simulated_node& n) {
  auto nl = rtnl::open();
  if (!nl)
    return nl.error();
  if (auto bridge = add_bridge(*nl, n.bridge, n.gateway); !bridge)
    return bridge.error();
  return net::binding::write_sysctl("net/ipv4/ip_forward", "1");
}

/// Inside node `n`'s namespace: a route to every other node's pod CIDR via that node.
error route_to_other_nodes(const cluster_network& net, const simulated_node& n) {
  auto nl = rtnl::open();
  if (!nl)
    return nl.error();
  auto eth0 = nl->link("eth0");
  if (!eth0)
    return eth0.error();
  for (const auto& other : net.nodes)
    if (other.name != n.name)
      if (auto e = route_via(*nl, other.pod_cidr, other.node_ip, eth0->index))
        return e;
  return {};
}

/// Everything is made over rtnetlink: the host part in the calling thread's namespace,
/// each node's part on a thread inside the node's namespace.
error build(const cluster_network& net) {
  const auto& c = net.config;
  if (auto e = ensure_private_mount(netns_dir(c)))
    return e;
  auto host = rtnl::open();
  if (!host)
    return host.error();
  auto bridge = add_bridge(*host, net.host_bridge, net.host_ip);
  if (!bridge)
    return bridge.error();
  const std::string node_subnet = net.host_ip.substr(0, net.host_ip.rfind('.')) + ".0/24";
  for (std::size_t i = 0; i < net.nodes.size(); ++i) {
    const auto& n = net.nodes[i];
    if (auto e = create_netns_file(n.netns_path))
      return e.with_context("node " + n.name);
    // A node hangs off the cluster bridge exactly as a pod hangs off its node's bridge:
    // veth <p>n<i> in the host, its peer eth0 with the node IP, default via the host.
    if (auto e = wire_pod_network(pod_wiring{own_netns, net.host_bridge, host_veth(c, i), n.node_ip, node_subnet,
                                             net.host_ip},
                                  n.netns_path))
      return e.with_context("node " + n.name);
    if (auto e = net::binding::run_in_netns(net::binding::netns_ref::from_path(n.netns_path.string()),
                                            [&] { return build_node_inside(n); }))
      return e.with_context("node " + n.name);
    if (auto e = route_via(*host, n.pod_cidr, n.node_ip, *bridge))
      return e;
  }
  for (const auto& n : net.nodes)
    if (auto e = net::binding::run_in_netns(net::binding::netns_ref::from_path(n.netns_path.string()),
                                            [&] { return route_to_other_nodes(net, n); }))
      return e.with_context("node " + n.name);
  return {};
}

} // namespace

expected<cluster_network> plan_cluster_network(const cluster_network_config& config) {
  if (config.id.empty() || config.id.size() > 6)
    return error{errc::invalid_argument, "cluster network id '" + config.id + "' must have 1 to 6 characters"};
  for (char ch : config.id)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
      return error{errc::invalid_argument, "cluster network id '" + config.id + "' may only hold [a-z0-9]"};
  if (config.nodes < 1 || config.nodes > 200)
    return error{errc::invalid_argument, "node count " + std::to_string(config.nodes) + " is not within 1..200"};
  if (config.state_dir.empty())
    return error{errc::invalid_argument, "the cluster network needs a state directory"};
  if (config.node_name_prefix.empty())
    return error{errc::invalid_argument, "the node name prefix is empty"};
  const auto slash = config.cluster_cidr.find('/');
  auto base = net::dhcp::parse_ipv4(config.cluster_cidr.substr(0, slash));
  if (slash == std::string::npos || config.cluster_cidr.substr(slash + 1) != "16" || !base ||
      base->octets[2] != 0 || base->octets[3] != 0)
    return error{errc::invalid_argument,
                 "cluster CIDR '" + config.cluster_cidr + "' must be a /16 like 10.99.0.0/16"};
  const auto a = base->octets[0], b = base->octets[1];
  cluster_network net;
  net.config = config;
  net.host_bridge = "pv" + config.id + "br";
  net.host_ip = octets(a, b, 0, 1);
  for (std::size_t i = 0; i < config.nodes; ++i) {
    simulated_node n;
    n.name = config.node_name_prefix + std::to_string(i);
    n.netns_path = netns_dir(config) / n.name;
    n.node_ip = octets(a, b, 0, static_cast<int>(10 + i));
    n.pod_cidr = octets(a, b, static_cast<int>(i + 1), 0) + "/24";
    n.bridge = node_bridge_name;
    n.gateway = octets(a, b, static_cast<int>(i + 1), 1);
    net.nodes.push_back(std::move(n));
  }
  return net;
}

expected<cluster_network> create_cluster_network(const cluster_network_config& config) {
  auto net = plan_cluster_network(config);
  if (!net)
    return net.error();
  if (auto e = remove_cluster_network(config))
    return e.with_context("remove the stale cluster network " + config.id);
  if (auto e = build(*net)) {
    (void)remove_cluster_network(config);
    return e.with_context("create cluster network " + config.id);
  }
  return net;
}

error remove_cluster_network(const cluster_network_config& config) {
  auto net = plan_cluster_network(config);
  if (!net)
    return net.error();
  error first;
  auto note = [&first](error e) {
    if (e && first.ok())
      first = std::move(e);
  };
  // Every host veth of this id, also of an earlier run with more nodes, and the bridge.
  const std::string veth_prefix = "pv" + config.id + "n";
  auto is_ours = [&](const std::string& name) {
    return name == net->host_bridge ||
           (name.size() > veth_prefix.size() && name.compare(0, veth_prefix.size(), veth_prefix) == 0 &&
            name.find_first_not_of("0123456789", veth_prefix.size()) == std::string::npos);
  };
  auto host = rtnl::open();
  auto links = host ? host->links() : expected<std::vector<net::binding::link_info>>{host.error()};
  if (!links)
    note(links.error());
  else
    for (const auto& l : *links)
      if (is_ours(l.name))
        if (auto e = host->delete_link(l.index); e && e != errc::not_found) // a veth goes with its peer
          note(e.with_context("delete " + l.name));
  // Host routes to pod CIDRs went with the bridge (their next hop was on it).
  note(unmount_tree(netns_dir(config)));
  std::error_code ec;
  fs::remove_all(netns_dir(config), ec);
  if (ec)
    note(error{errc::io_error, "remove " + netns_dir(config).string() + ": " + ec.message()});
  return first;
}

} // namespace podvisor::kube::podlet
