// The pod network made in-process (pod_network.hpp) against what the `ip`/`unshare`
// commands it replaces made: a node namespace with a pod bridge, one pod wired the old
// way and one the new way, their links, addresses and routes compared; then removal and
// the errors. Everything lives in namespaces bind-mounted under a temporary private
// mount, so unmounting it at the end removes every link even when a check fails.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "common/temp_dir.hpp"
#include "kube/podlet/host_command.hpp"
#include "kube/podlet/mounts.hpp"
#include "kube/podlet/pod_network.hpp"

using namespace podvisor;
using namespace podvisor::kube::podlet;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// A node namespace with bridge cbr0 = 10.95.1.1/24, under a private mount.
struct node_fixture {
  scoped_temp_dir dir{"podlet-net-"};
  fs::path node = dir.path() / "node";

  node_fixture() {
    REQUIRE_FALSE(ensure_private_mount(dir.path()));
    REQUIRE_FALSE(create_netns_file(node));
    for (const auto& cmd : std::vector<std::vector<std::string>>{{"ip", "link", "add", "cbr0", "type", "bridge"},
                                                                 {"ip", "addr", "add", "10.95.1.1/24", "dev", "cbr0"},
                                                                 {"ip", "link", "set", "cbr0", "up"}}) {
      auto e = run_checked(in_netns(node.string(), cmd));
      INFO(e.to_string());
      REQUIRE_FALSE(e);
    }
  }
  ~node_fixture() { (void)unmount_tree(dir.path()); }

  pod_wiring wiring(const std::string& veth, const std::string& ip) const {
    return pod_wiring{node.string(), "cbr0", veth, ip, "10.95.1.0/24", "10.95.1.1"};
  }
};

json ip_json(const fs::path& ns, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"ip", "-j"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto out = run_command(in_netns(ns.string(), argv));
  INFO((out ? std::string{} : out.error().to_string()));
  REQUIRE(out.has_value());
  return json::parse(*out);
}

/// Links (name, kind, stable flags, MTU, master), addresses and routes of a namespace as
/// sorted lines, with `rename` applied to every word (names and addresses that differ by
/// design between the two pods).
std::vector<std::string> describe(const fs::path& ns, const std::map<std::string, std::string>& rename) {
  auto r = [&](const std::string& s) {
    auto it = rename.find(s);
    return it == rename.end() ? s : it->second;
  };
  std::vector<std::string> lines;
  for (const auto& l : ip_json(ns, {"-d", "link", "show"})) {
    std::string line = "link " + r(l.value("ifname", "")) + " kind=" +
                       (l.contains("linkinfo") ? l["linkinfo"].value("info_kind", "") : "") +
                       " mtu=" + std::to_string(l.value("mtu", 0)) + " master=" + r(l.value("master", "")) + " flags=";
    // Carrier flags follow the peer asynchronously; the administrative ones are what we set.
    for (const auto& f : l.value("flags", json::array()))
      if (f == "UP" || f == "BROADCAST" || f == "MULTICAST" || f == "LOOPBACK")
        line += f.get<std::string>() + ",";
    lines.push_back(line);
    // IPv4 only: the IPv6 link-local addresses derive from random MACs.
    for (const auto& entry : ip_json(ns, {"-4", "addr", "show", "dev", l.value("ifname", "")}))
      for (const auto& a : entry.value("addr_info", json::array()))
        lines.push_back("addr " + r(l.value("ifname", "")) + " " + a.value("family", "") + " " +
                        r(a.value("local", "")) + "/" + std::to_string(a.value("prefixlen", 0)) +
                        " brd=" + a.value("broadcast", "") + " scope=" + a.value("scope", "") +
                        " label=" + r(a.value("label", "")));
  }
  for (const auto& rt : ip_json(ns, {"-4", "-d", "route", "show", "table", "main"}))
      lines.push_back("route " + rt.value("dst", "") + " via=" + rt.value("gateway", "") + " dev=" +
                      r(rt.value("dev", "")) + " proto=" + rt.value("protocol", "") + " scope=" +
                      rt.value("scope", "") + " src=" + r(rt.value("prefsrc", "")));
  std::sort(lines.begin(), lines.end());
  return lines;
}

/// What the sandbox runtime ran before pod_network existed.
void wire_with_commands(const node_fixture& f, const fs::path& pod, const std::string& veth, const std::string& ip) {
  { std::ofstream touch{pod}; }
  std::vector<std::vector<std::string>> cmds{
      {"unshare", "--net=" + pod.string(), "true"},
      in_netns(f.node.string(),
               {"ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", pod.string()}),
      in_netns(f.node.string(), {"ip", "link", "set", veth, "master", "cbr0", "up"}),
      in_netns(pod.string(), {"ip", "link", "set", "lo", "up"}),
      in_netns(pod.string(), {"ip", "addr", "add", ip + "/24", "dev", "eth0"}),
      in_netns(pod.string(), {"ip", "link", "set", "eth0", "up"}),
      in_netns(pod.string(), {"ip", "route", "add", "default", "via", "10.95.1.1"})};
  for (const auto& cmd : cmds) {
    auto e = run_checked(cmd);
    INFO(e.to_string());
    REQUIRE_FALSE(e);
  }
}

bool has_link(const fs::path& ns, const std::string& name) {
  return run_command(in_netns(ns.string(), {"ip", "link", "show", name})).has_value();
}

} // namespace

TEST_CASE("create_netns_file makes a persistent, empty network namespace", "[kube][podlet][integration]") {
  node_fixture f;
  const auto pod = f.dir.path() / "pod";
  REQUIRE_FALSE(create_netns_file(pod));
  CHECK(is_mount_point(pod));
  auto links = ip_json(pod, {"link", "show"});
  REQUIRE(links.size() == 1);
  CHECK(links[0]["ifname"] == "lo");
  // Its own namespace, not the node's or the caller's.
  CHECK_FALSE(has_link(pod, "cbr0"));

  auto missing_dir = create_netns_file(f.dir.path() / "no-such-dir" / "pod");
  CHECK(missing_dir);
  CHECK(missing_dir.to_string().find("no-such-dir") != std::string::npos);
}

TEST_CASE("wire_pod_network makes exactly what the ip commands made", "[kube][podlet][integration]") {
  node_fixture f;
  const auto old_pod = f.dir.path() / "old";
  const auto new_pod = f.dir.path() / "new";
  wire_with_commands(f, old_pod, "pvold", "10.95.1.5");
  REQUIRE_FALSE(create_netns_file(new_pod));
  auto e = wire_pod_network(f.wiring("pvnew", "10.95.1.6"), new_pod);
  INFO(e.to_string());
  REQUIRE_FALSE(e);

  const auto old_lines = describe(old_pod, {{"10.95.1.5", "POD_IP"}});
  const auto new_lines = describe(new_pod, {{"10.95.1.6", "POD_IP"}});
  CHECK(new_lines == old_lines);
  const std::string default_route = "route default via=10.95.1.1 dev=eth0 proto=boot scope=global src=";
  CHECK(std::find(new_lines.begin(), new_lines.end(), default_route) != new_lines.end());

  // On the node both veths look alike: veth, up, in cbr0.
  const auto node_lines = describe(f.node, {{"pvold", "VETH"}, {"pvnew", "VETH"}});
  CHECK(std::count(node_lines.begin(), node_lines.end(),
                   "link VETH kind=veth mtu=1500 master=cbr0 flags=BROADCAST,MULTICAST,UP,") == 2);
}

TEST_CASE("remove_pod_veth removes the pair and accepts what is already gone", "[kube][podlet][integration]") {
  node_fixture f;
  const auto pod = f.dir.path() / "pod";
  REQUIRE_FALSE(create_netns_file(pod));
  REQUIRE_FALSE(wire_pod_network(f.wiring("pvrm", "10.95.1.7"), pod));
  REQUIRE(has_link(f.node, "pvrm"));
  REQUIRE(has_link(pod, "eth0"));

  CHECK_FALSE(remove_pod_veth(f.node.string(), "pvrm"));
  CHECK_FALSE(has_link(f.node, "pvrm"));
  CHECK_FALSE(has_link(pod, "eth0"));
  CHECK_FALSE(remove_pod_veth(f.node.string(), "pvrm"));
  CHECK_FALSE(remove_pod_veth((f.dir.path() / "no-such-node").string(), "pvrm"));
}

TEST_CASE("wire_pod_network: clear errors naming what is wrong", "[kube][podlet][integration]") {
  node_fixture f;
  const auto pod = f.dir.path() / "pod";
  REQUIRE_FALSE(create_netns_file(pod));

  auto w = f.wiring("pverr", "10.95.1.8");
  w.node_bridge = "nobridge";
  auto no_bridge = wire_pod_network(w, pod);
  CHECK(no_bridge == errc::not_found);
  CHECK(no_bridge.to_string().find("nobridge") != std::string::npos);
  CHECK_FALSE(has_link(f.node, "pverr"));

  w = f.wiring("pverr", "10.95.1.8");
  w.pod_cidr = "10.95.1.0";
  CHECK(wire_pod_network(w, pod) == errc::invalid_argument);
  w = f.wiring("pverr", "10.95.1.300");
  CHECK(wire_pod_network(w, pod).to_string().find("10.95.1.300") != std::string::npos);

  auto no_pod = wire_pod_network(f.wiring("pverr", "10.95.1.8"), f.dir.path() / "missing");
  CHECK(no_pod);
  CHECK(no_pod.to_string().find("missing") != std::string::npos);

  // A veth name already taken on the node.
  REQUIRE_FALSE(wire_pod_network(f.wiring("pvtaken", "10.95.1.9"), pod));
  const auto pod2 = f.dir.path() / "pod2";
  REQUIRE_FALSE(create_netns_file(pod2));
  CHECK(wire_pod_network(f.wiring("pvtaken", "10.95.1.10"), pod2) == errc::already_exists);
}

TEST_CASE("links made in a pod's or node's namespace have no IPv6; lo keeps ::1", "[kube][podlet][integration]") {
  node_fixture f;
  const auto pod = f.dir.path() / "pod";
  REQUIRE_FALSE(create_netns_file(pod));
  REQUIRE_FALSE(wire_pod_network(f.wiring("pvsix", "10.95.1.11"), pod));

  auto ipv6_addresses = [](const fs::path& ns, const std::string& dev) {
    std::vector<std::string> found;
    for (const auto& entry : ip_json(ns, {"-6", "addr", "show", "dev", dev}))
      for (const auto& a : entry.value("addr_info", json::array()))
        found.push_back(a.value("local", ""));
    return found;
  };
  auto disabled = [](const fs::path& ns, const std::string& dev) {
    auto out = run_command(in_netns(ns.string(), {"cat", "/proc/sys/net/ipv6/conf/" + dev + "/disable_ipv6"}));
    INFO((out ? *out : out.error().to_string()));
    REQUIRE(out.has_value());
    return *out == "1\n";
  };
  CHECK(disabled(pod, "eth0"));
  CHECK(ipv6_addresses(pod, "eth0").empty());
  CHECK(disabled(f.node, "pvsix"));
  CHECK(disabled(f.node, "cbr0"));
  CHECK(ipv6_addresses(f.node, "pvsix").empty());
  // Links made later by others (the node agent's bridge and tap) inherit it too.
  REQUIRE_FALSE(run_checked(in_netns(pod.string(), {"ip", "link", "add", "k6t-test", "type", "bridge"})));
  CHECK(disabled(pod, "k6t-test"));
  CHECK_FALSE(disabled(pod, "lo"));
  CHECK(ipv6_addresses(pod, "lo") == std::vector<std::string>{"::1"});
}
