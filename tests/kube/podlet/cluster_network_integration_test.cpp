// The simulated cluster network with real namespaces: the host reaches every node and
// every node bridge (pod gateway) through its routes, nodes reach each other's pod
// gateways, and removal leaves no interface, mount or file behind — also when called
// again, and when it has to clean up after a run that was never removed.
#include <catch2/catch_test_macros.hpp>

#include <filesystem>

#include "common/temp_dir.hpp"
#include "kube/podlet/cluster_network.hpp"
#include "kube/podlet/host_command.hpp"
#include "kube/podlet/mounts.hpp"

using namespace podvisor;
using namespace podvisor::kube::podlet;

namespace {

bool pings(const std::vector<std::string>& prefix, const std::string& ip) {
  std::vector<std::string> argv = prefix;
  for (const char* a : {"busybox", "ping", "-c", "1", "-W", "3", ip.c_str()})
    argv.emplace_back(a);
  return run_command(argv).has_value();
}

/// Removes the cluster network when the test ends, passed or not.
struct network_guard {
  cluster_network_config config;
  ~network_guard() { (void)remove_cluster_network(config); }
};

} // namespace

TEST_CASE("a two-node cluster network routes between host, nodes and pod subnets") {
  scoped_temp_dir dir{"podlet-net-"};
  cluster_network_config config;
  config.id = "t1";
  config.state_dir = dir.path();
  config.cluster_cidr = "10.98.0.0/16";
  network_guard guard{config};

  auto net = create_cluster_network(config);
  REQUIRE(net.has_value());
  REQUIRE(net->nodes.size() == 2);
  CHECK(net->host_ip == "10.98.0.1");
  CHECK(net->nodes[1].node_ip == "10.98.0.11");
  CHECK(net->nodes[1].pod_cidr == "10.98.2.0/24");
  CHECK(net->nodes[1].gateway == "10.98.2.1");
  CHECK(std::filesystem::exists("/sys/class/net/pvt1br"));

  for (const auto& n : net->nodes) {
    CHECK(pings({}, n.node_ip));
    CHECK(pings({}, n.gateway));
  }
  const auto& a = net->nodes[0];
  const auto& b = net->nodes[1];
  CHECK(pings({"nsenter", "--net=" + a.netns_path.string()}, b.gateway));
  CHECK(pings({"nsenter", "--net=" + b.netns_path.string()}, net->host_ip));

  // Creating again over a live one (a crashed run) replaces it.
  auto again = create_cluster_network(config);
  REQUIRE(again.has_value());
  CHECK(pings({}, b.gateway));

  REQUIRE_FALSE(remove_cluster_network(config));
  CHECK_FALSE(std::filesystem::exists("/sys/class/net/pvt1br"));
  CHECK_FALSE(std::filesystem::exists("/sys/class/net/pvt1n0"));
  CHECK(mounts_under(dir.path()).empty());
  CHECK_FALSE(std::filesystem::exists(dir.path() / "netns"));
  CHECK_FALSE(pings({}, b.gateway));
  CHECK_FALSE(remove_cluster_network(config));
}

TEST_CASE("bad cluster network configs are refused with a message") {
  cluster_network_config c;
  c.state_dir = "/tmp/x";
  c.id = "Bad!";
  CHECK(plan_cluster_network(c).error().code == errc::invalid_argument);
  c.id = "abcdefg";
  CHECK(plan_cluster_network(c).error().code == errc::invalid_argument);
  c.id = "ok";
  c.cluster_cidr = "10.1.2.0/24";
  CHECK(plan_cluster_network(c).error().message.find("/16") != std::string::npos);
  c.cluster_cidr = "10.1.0.0/16";
  c.nodes = 0;
  CHECK(plan_cluster_network(c).error().code == errc::invalid_argument);
  c.nodes = 3;
  c.state_dir.clear();
  CHECK(plan_cluster_network(c).error().code == errc::invalid_argument);
}
