#include "net/binding/masquerade_binding.hpp"

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

masquerade_options options_for(const pod_fixture& f) {
  masquerade_options o;
  o.discovery.resolv_conf = f.resolv_conf;
  o.state_path = f.state_path;
  o.excluded_ports = {{l4_protocol::tcp, 8443}};
  return o;
}

/// The podvisor table's rules as nft prints them, one line each.
std::vector<std::string> rules(const test_netns& ns) {
  auto j = nlohmann::json::parse(ns.exec("nft -j list ruleset"));
  std::vector<std::string> out;
  for (const auto& item : j["nftables"]) {
    if (item.contains("table"))
      out.push_back("table " + item["table"]["family"].get<std::string>() + " " + item["table"]["name"].get<std::string>());
    if (item.contains("chain"))
      out.push_back("chain " + item["chain"]["name"].get<std::string>() + " " + item["chain"].value("hook", ""));
    if (item.contains("rule"))
      out.push_back("rule " + item["rule"]["chain"].get<std::string>() + " " + item["rule"]["expr"].dump());
  }
  return out;
}

std::string ip_forward(const test_netns& ns) {
  auto v = ns.exec("cat /proc/sys/net/ipv4/ip_forward");
  return v.substr(0, v.find('\n'));
}

} // namespace

TEST_CASE("masquerade binding: bridge with the gateway, tap, NAT rules, ip_forward", "[net][binding][integration]") {
  pod_fixture f;
  auto before = f.snapshot();
  REQUIRE(ip_forward(f.pod) == "0");
  auto s = setup_masquerade_binding(f.pod.ref(), options_for(f));
  REQUIRE(s.has_value());
  CHECK(s->complete);

  auto bridge_addr = f.pod.ip_json("-4 addr show k6t-eth0")[0]["addr_info"];
  REQUIRE(bridge_addr.size() == 1);
  CHECK(bridge_addr[0]["local"] == "10.0.2.1");
  CHECK(bridge_addr[0]["prefixlen"] == 24);
  CHECK(f.pod.ip_json("-d link show tap0")[0]["master"] == "k6t-eth0");
  // The pod NIC is untouched.
  CHECK(f.pod.ip_json("-4 addr show eth0")[0]["addr_info"][0]["local"] == "10.244.1.5");
  CHECK(ip_forward(f.pod) == "1");

  auto r = rules(f.pod);
  REQUIRE(r.size() >= 4);
  CHECK(r[0] == "table ip podvisor");
  auto text = f.pod.exec("nft list table ip podvisor");
  CHECK(text.find("iifname \"eth0\" tcp dport 8443 return") != std::string::npos);
  CHECK(text.find("iifname \"eth0\" ip daddr 10.244.1.5 dnat to 10.0.2.2") != std::string::npos);
  CHECK(text.find("ip saddr 10.0.2.2 oifname \"eth0\" masquerade") != std::string::npos);

  const auto& g = s->guest;
  CHECK(g.address == *parse_ipv4("10.0.2.2"));
  CHECK(g.gateway == parse_ipv4("10.0.2.1"));
  CHECK(g.server_address == *parse_ipv4("10.0.2.1"));
  CHECK(g.mtu == 1450);
  CHECK((g.mac.octets[0] & 0x03) == 0x02);
  CHECK(to_lease_config(g).has_value());

  // Idempotent: same links, same rules, same state (the random MAC is kept).
  auto wired = f.snapshot();
  auto again = setup_masquerade_binding(f.pod.ref(), options_for(f));
  REQUIRE(again.has_value());
  CHECK(*again == *s);
  CHECK(f.snapshot() == wired);
  CHECK(rules(f.pod) == r);

  // Declared ports replace the rules in one transaction.
  auto declared = options_for(f);
  declared.ports = {{l4_protocol::tcp, 80}};
  REQUIRE(setup_masquerade_binding(f.pod.ref(), declared).has_value());
  CHECK(f.pod.exec("nft list table ip podvisor").find("tcp dport 80 dnat to 10.0.2.2") != std::string::npos);

  REQUIRE(teardown_binding(f.pod.ref(), f.state_path).ok());
  CHECK(f.snapshot() == before);
  CHECK(rules(f.pod).empty());
  CHECK(ip_forward(f.pod) == "0");
}

TEST_CASE("masquerade binding end to end: inbound DNAT, outbound masquerade, excluded ports",
          "[net][binding][integration]") {
  pod_fixture f;
  auto s = setup_masquerade_binding(f.pod.ref(), options_for(f));
  REQUIRE(s.has_value());
  guest_fixture guest{f.pod, s->guest.bridge, s->guest.mac, "10.0.2.2/24", "10.0.2.1"};
  {
    // A client on the node reaches the guest through the pod IP, unmasqueraded.
    tcp_listener in_guest{guest.ns.ref(), 8080};
    REQUIRE(tcp_connect(f.node.ref(), "10.244.1.5", 8080));
    CHECK(in_guest.accept_peer(2s) == "10.244.1.1");
  }
  {
    // The guest's own traffic leaves with the pod IP.
    tcp_listener on_node{f.node.ref(), 9090};
    REQUIRE(tcp_connect(guest.ns.ref(), "10.244.1.1", 9090));
    CHECK(on_node.accept_peer(2s) == "10.244.1.5");
  }
  {
    // An excluded port is the pod's own: a listener in the pod gets it, the guest not.
    tcp_listener in_guest{guest.ns.ref(), 8443};
    tcp_listener in_pod{f.pod.ref(), 8443};
    REQUIRE(tcp_connect(f.node.ref(), "10.244.1.5", 8443));
    CHECK(in_pod.accept_peer(2s) == "10.244.1.1");
    CHECK_FALSE(in_guest.accept_peer(200ms).has_value());
  }
  REQUIRE(teardown_binding(f.pod.ref(), f.state_path).ok());
}
