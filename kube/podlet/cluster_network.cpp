#include "kube/podlet/cluster_network.hpp"

#include <fstream>
#include <system_error>

#include "kube/podlet/host_command.hpp"
#include "kube/podlet/mounts.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::kube::podlet {

namespace {

namespace fs = std::filesystem;

constexpr const char* node_bridge_name = "cbr0";

std::string octets(std::uint8_t a, std::uint8_t b, int c, int d) {
  return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." + std::to_string(d);
}

std::string host_veth(const cluster_network_config& c, std::size_t i) {
  return "pv" + c.id + "n" + std::to_string(i);
}

fs::path netns_dir(const cluster_network_config& c) { return c.state_dir / "netns"; }

error build(const cluster_network& net) {
  const auto& c = net.config;
  if (auto e = ensure_private_mount(netns_dir(c)))
    return e;
  if (auto e = run_checked({"ip", "link", "add", net.host_bridge, "type", "bridge"}))
    return e;
  if (auto e = run_checked({"ip", "addr", "add", net.host_ip + "/24", "dev", net.host_bridge}))
    return e;
  if (auto e = run_checked({"ip", "link", "set", net.host_bridge, "up"}))
    return e;
  for (std::size_t i = 0; i < net.nodes.size(); ++i) {
    const auto& n = net.nodes[i];
    const std::string ns = n.netns_path.string();
    { std::ofstream touch{n.netns_path}; }
    if (auto e = run_checked({"unshare", "--net=" + ns, "true"}))
      return e;
    const std::string veth = host_veth(c, i);
    if (auto e = run_checked({"ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns}))
      return e;
    if (auto e = run_checked({"ip", "link", "set", veth, "master", net.host_bridge, "up"}))
      return e;
    const std::vector<std::vector<std::string>> inside{
        {"ip", "link", "set", "lo", "up"},
        {"ip", "addr", "add", n.node_ip + "/24", "dev", "eth0"},
        {"ip", "link", "set", "eth0", "up"},
        {"ip", "link", "add", n.bridge, "type", "bridge"},
        {"ip", "addr", "add", n.gateway + "/24", "dev", n.bridge},
        {"ip", "link", "set", n.bridge, "up"},
        {"ip", "route", "add", "default", "via", net.host_ip},
        {"sysctl", "-q", "-w", "net.ipv4.ip_forward=1"},
    };
    for (const auto& cmd : inside)
      if (auto e = run_checked(in_netns(ns, cmd)))
        return e.with_context("node " + n.name);
    if (auto e = run_checked({"ip", "route", "replace", n.pod_cidr, "via", n.node_ip}))
      return e;
  }
  for (const auto& n : net.nodes)
    for (const auto& other : net.nodes)
      if (other.name != n.name)
        if (auto e = run_checked(in_netns(n.netns_path.string(), {"ip", "route", "replace", other.pod_cidr, "via", other.node_ip})))
          return e.with_context("node " + n.name);
  return {};
}

bool link_exists(const std::string& name) { return fs::exists("/sys/class/net/" + name); }

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
  // Every host veth of this id, also of an earlier run with more nodes.
  const std::string veth_prefix = "pv" + config.id + "n";
  std::error_code list_ec;
  for (const auto& entry : fs::directory_iterator{"/sys/class/net", list_ec}) {
    const std::string name = entry.path().filename().string();
    if (name.size() > veth_prefix.size() && name.compare(0, veth_prefix.size(), veth_prefix) == 0 &&
        name.find_first_not_of("0123456789", veth_prefix.size()) == std::string::npos)
      note(run_checked({"ip", "link", "del", name}));
  }
  if (link_exists(net->host_bridge))
    note(run_checked({"ip", "link", "del", net->host_bridge}));
  // Host routes to pod CIDRs went with the bridge (their next hop was on it).
  note(unmount_tree(netns_dir(config)));
  std::error_code ec;
  fs::remove_all(netns_dir(config), ec);
  if (ec)
    note(error{errc::io_error, "remove " + netns_dir(config).string() + ": " + ec.message()});
  return first;
}

} // namespace podvisor::kube::podlet
