#include "net/binding/bridge_binding.hpp"

#include <catch2/catch_test_macros.hpp>

#include "net/binding/state_codec.hpp"
#include "net/binding/teardown.hpp"
#include "tests/net/binding/netns_fixture.hpp"

using namespace std::chrono_literals;
using namespace podvisor;
using namespace podvisor::net::binding;
using namespace podvisor::net::binding::testing;
using podvisor::net::dhcp::parse_ipv4;
using podvisor::net::dhcp::parse_mac;

namespace {

bridge_options options_for(const pod_fixture& f) {
  bridge_options o;
  o.discovery.resolv_conf = f.resolv_conf;
  o.tap_owner = 107;
  o.hostname = "web-1";
  o.state_path = f.state_path;
  return o;
}

nlohmann::json link_of(const test_netns& ns, const std::string& name) {
  return ns.ip_json("-d link show " + name)[0];
}

} // namespace

TEST_CASE("bridge binding wires the pod NIC, the tap and the dummy as KubeVirt does", "[net][binding][integration]") {
  pod_fixture f;
  auto before = f.snapshot();
  REQUIRE(f.pod.exec("cat /proc/sys/net/ipv4/conf/all/arp_ignore") == "0\n");
  auto pod_mac = *parse_mac(link_of(f.pod, "eth0")["address"].get<std::string>());

  auto s = setup_bridge_binding(f.pod.ref(), options_for(f));
  REQUIRE(s.has_value());
  CHECK(s->complete);
  CHECK(s->kind == binding_kind::bridge);

  auto bridge = link_of(f.pod, "k6t-eth0");
  CHECK(bridge["linkinfo"]["info_kind"] == "bridge");
  CHECK(bridge["mtu"] == 1450);
  CHECK(bridge["address"] == podvisor::net::dhcp::to_string(s->changes.bridge_mac));
  auto bridge_addr = f.pod.ip_json("-4 addr show k6t-eth0")[0]["addr_info"];
  REQUIRE(bridge_addr.size() == 1);
  CHECK(bridge_addr[0]["local"] == "169.254.75.10");
  CHECK(bridge_addr[0]["prefixlen"] == 32);

  auto tap = link_of(f.pod, "tap0");
  CHECK(tap["linkinfo"]["info_kind"] == "tun");
  CHECK(tap["linkinfo"]["info_data"]["type"] == "tap");
  CHECK(tap["linkinfo"]["info_data"]["pi"] == false);
  CHECK(tap["linkinfo"]["info_data"]["persist"] == true);
  CHECK(tap["linkinfo"]["info_data"]["user"] == 107);
  CHECK(tap["master"] == "k6t-eth0");
  CHECK(tap["mtu"] == 1450);

  auto nic = link_of(f.pod, "eth0-nic");
  CHECK(nic["master"] == "k6t-eth0");
  CHECK(nic["address"] != podvisor::net::dhcp::to_string(pod_mac));
  CHECK(f.pod.ip_json("-4 addr show eth0-nic").empty());

  auto dummy = link_of(f.pod, "eth0");
  // A dummy, or an empty bridge where the kernel has no dummy driver (as on CI).
  CHECK((dummy["linkinfo"]["info_kind"] == "dummy" || dummy["linkinfo"]["info_kind"] == "bridge"));
  CHECK(dummy["ifindex"] != nic["ifindex"]);
  CHECK(dummy.value("master", "") == "");
  CHECK(f.pod.exec("cat /proc/sys/net/ipv4/conf/all/arp_ignore") == "1\n");
  auto kept = f.pod.ip_json("-4 addr show eth0")[0]["addr_info"];
  REQUIRE(kept.size() == 1);
  CHECK(kept[0]["local"] == "10.244.1.5");
  CHECK(kept[0]["prefixlen"] == 24);

  // What the guest is told: the pod's own address and MAC.
  const auto& g = s->guest;
  CHECK(g.mac == pod_mac);
  CHECK(g.address == *parse_ipv4("10.244.1.5"));
  CHECK(g.prefix == 24);
  CHECK(g.gateway == parse_ipv4("10.244.1.1"));
  REQUIRE(g.routes.size() == 1);
  CHECK(g.routes[0].destination == *parse_ipv4("10.96.0.0"));
  CHECK(g.dns_servers == std::vector{*parse_ipv4("10.96.0.10")});
  CHECK(g.search_domains.size() == 3);
  CHECK(g.mtu == 1450);
  CHECK(g.hostname == "web-1");
  CHECK(g.tap == "tap0");
  CHECK(g.bridge == "k6t-eth0");
  auto lease = to_lease_config(g);
  REQUIRE(lease.has_value());
  CHECK(lease->server_address == *parse_ipv4("169.254.75.10"));
  auto cached = read_complete_state(f.state_path);
  REQUIRE(cached.has_value());
  CHECK(*cached == *s);

  // Idempotent: a second run changes nothing.
  auto wired = f.snapshot();
  auto again = setup_bridge_binding(f.pod.ref(), options_for(f));
  REQUIRE(again.has_value());
  CHECK(*again == *s);
  CHECK(f.snapshot() == wired);

  // Teardown puts back exactly what CNI made, and twice is harmless.
  REQUIRE(teardown_binding(f.pod.ref(), f.state_path).ok());
  CHECK(f.snapshot() == before);
  CHECK(f.pod.exec("cat /proc/sys/net/ipv4/conf/all/arp_ignore") == "0\n");
  CHECK_FALSE(std::filesystem::exists(f.state_path));
  CHECK(teardown_binding(f.pod.ref(), f.state_path).ok());
}

TEST_CASE("bridge binding: a re-run finishes a half-done phase 1", "[net][binding][integration]") {
  pod_fixture f;
  auto before = f.snapshot();
  REQUIRE(setup_bridge_binding(f.pod.ref(), options_for(f)).has_value());
  auto wired = f.snapshot();
  // As if the agent died half way: the plan is on disk, some steps are undone.
  auto s = read_state(f.state_path);
  REQUIRE(s.has_value());
  s->complete = false;
  REQUIRE(write_state(f.state_path, *s).ok());
  f.pod.ip("link del tap0");
  f.pod.ip("link set eth0-nic nomaster");
  f.pod.ip("link del eth0");
  auto again = setup_bridge_binding(f.pod.ref(), options_for(f));
  REQUIRE(again.has_value());
  CHECK(again->complete);
  // The recreated tap and dummy have new random MACs; everything else is as before.
  auto without_macs = [](std::vector<std::string> lines) {
    for (auto& l : lines)
      if (l.starts_with("link tap0 ") || l.starts_with("link eth0 "))
        l = l.substr(0, l.find(" mac=")) + l.substr(l.find(" mtu="));
    return lines;
  };
  CHECK(without_macs(f.snapshot()) == without_macs(wired));
  REQUIRE(teardown_binding(f.pod.ref(), f.state_path).ok());
  CHECK(f.snapshot() == before);
}

TEST_CASE("bridge binding refuses names it did not create", "[net][binding][integration]") {
  pod_fixture f;
  f.pod.ip("link add k6t-eth0 type bridge");
  auto s = setup_bridge_binding(f.pod.ref(), options_for(f));
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error() == errc::already_exists);
  CHECK(s.error().to_string().find("k6t-eth0") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(f.state_path));
}

TEST_CASE("bridge binding end to end: the node reaches a guest on the bridge at the pod IP", "[net][binding][integration]") {
  pod_fixture f;
  auto s = setup_bridge_binding(f.pod.ref(), options_for(f));
  REQUIRE(s.has_value());
  // A veth in the bridge stands in for the VM on tap0, configured as DHCP would.
  guest_fixture guest{f.pod, s->guest.bridge, s->guest.mac, "10.244.1.5/24", "10.244.1.1"};
  {
    tcp_listener in_guest{guest.ns.ref(), 8080};
    REQUIRE(tcp_connect(f.node.ref(), "10.244.1.5", 8080));
    CHECK(in_guest.accept_peer(2s) == "10.244.1.1");
  }
  {
    tcp_listener on_node{f.node.ref(), 9090};
    REQUIRE(tcp_connect(guest.ns.ref(), "10.244.1.1", 9090));
    CHECK(on_node.accept_peer(2s) == "10.244.1.5");
  }
}
