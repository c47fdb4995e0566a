#include "net/binding/state_codec.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "common/temp_dir.hpp"
#include "net/binding/masquerade_binding.hpp"

using namespace podvisor;
using namespace podvisor::net::binding;
using podvisor::net::dhcp::parse_ipv4;
using podvisor::net::dhcp::parse_mac;

namespace {

binding_state bridge_sample() {
  binding_state s;
  s.kind = binding_kind::bridge;
  s.pod_interface = "eth0";
  s.complete = true;
  auto& g = s.guest;
  g.mac = *parse_mac("0a:58:0a:f4:01:05");
  g.address = *parse_ipv4("10.244.1.5");
  g.prefix = 24;
  g.gateway = *parse_ipv4("10.244.1.1");
  g.routes = {{*parse_ipv4("10.96.0.0"), 12, *parse_ipv4("10.244.1.1")}};
  g.dns_servers = {*parse_ipv4("10.96.0.10")};
  g.search_domains = {"default.svc.cluster.local", "cluster.local"};
  g.mtu = 1450;
  g.hostname = "web-1";
  g.tap = "tap0";
  g.bridge = "k6t-eth0";
  g.server_address = *parse_ipv4("169.254.75.10");
  moved_nic n;
  n.index = 2;
  n.original_name = "eth0";
  n.renamed_to = "eth0-nic";
  n.original_mac = g.mac;
  n.new_mac = *parse_mac("02:11:22:33:44:55");
  n.address = {2, g.address, 24};
  route_info def;
  def.gateway = g.gateway;
  def.oif = 2;
  n.routes = {def};
  s.changes.nic = n;
  s.changes.bridge_address = address_info{0, g.server_address, 32};
  s.changes.bridge_mac = *parse_mac("02:aa:bb:cc:dd:ee");
  s.changes.created_links = {"k6t-eth0", "tap0", "eth0"};
  s.changes.sysctls = {{"net/ipv4/conf/all/arp_ignore", "0"}};
  return s;
}

binding_state masquerade_sample() {
  binding_state s;
  s.kind = binding_kind::masquerade;
  s.pod_interface = "eth0";
  s.guest.mac = *parse_mac("02:00:00:00:00:01");
  s.guest.address = *parse_ipv4("10.0.2.2");
  s.guest.gateway = *parse_ipv4("10.0.2.1");
  s.guest.tap = "tap0";
  s.guest.bridge = "k6t-eth0";
  s.guest.server_address = *parse_ipv4("10.0.2.1");
  s.changes.created_links = {"k6t-eth0", "tap0"};
  s.changes.nft_table = "podvisor";
  s.changes.sysctls = {{"net/ipv4/ip_forward", "0"}};
  return s;
}

/// The bridge sample's JSON with the value at `pointer` replaced.
std::string edited(const std::string& pointer, const std::string& value_json) {
  auto j = nlohmann::json::parse(encode_state(bridge_sample()));
  j[nlohmann::json::json_pointer{pointer}] = nlohmann::json::parse(value_json);
  return j.dump();
}

std::string without(const std::string& parent, const std::string& key) {
  auto j = nlohmann::json::parse(encode_state(bridge_sample()));
  j[nlohmann::json::json_pointer{parent}].erase(key);
  return j.dump();
}

std::string message_of(const std::string& text) {
  auto s = decode_state(text);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error() == errc::parse_error);
  return s.error().message;
}

} // namespace

TEST_CASE("binding state round trips through JSON", "[net][binding]") {
  for (const auto& s : {bridge_sample(), masquerade_sample()}) {
    auto text = encode_state(s);
    auto back = decode_state(text);
    REQUIRE(back.has_value());
    CHECK(*back == s);
    CHECK(encode_state(*back) == text);
  }
}

TEST_CASE("binding state: every bad input is an error naming the field", "[net][binding]") {
  CHECK(message_of("{") == "binding state: not valid JSON");
  CHECK(message_of("[]") == "binding state: (root): must be an object");
  CHECK(message_of(edited("/version", "2")).find("version: unsupported version 2") != std::string::npos);
  CHECK(message_of(edited("/kind", "\"sriov\"")).find("kind: unsupported value \"sriov\"") != std::string::npos);
  CHECK(message_of(edited("/guest/address", "\"10.244.1\"")) ==
        "binding state: guest.address: not an IPv4 address: \"10.244.1\"");
  CHECK(message_of(edited("/guest/routes/0/gateway", "7")) == "binding state: guest.routes[0].gateway: must be a string");
  CHECK(message_of(edited("/guest/prefix", "33")) == "binding state: guest.prefix: must be between 0 and 32, got 33");
  CHECK(message_of(edited("/guest/mtu", "20")) == "binding state: guest.mtu: must be 0 or at least 68");
  CHECK(message_of(edited("/guest/mac", "\"00:11\"")) == "binding state: guest.mac: not a MAC address: \"00:11\"");
  CHECK(message_of(edited("/guest/tap", "\"a-name-longer-than-15\"")).find("guest.tap: not an interface name") !=
        std::string::npos);
  CHECK(message_of(edited("/guest/extra", "1")) == "binding state: guest.extra: unknown field");
  CHECK(message_of(edited("/complete", "\"yes\"")) == "binding state: complete: must be true or false");
  CHECK(message_of(edited("/changes/nftTable", "\"x; flush ruleset\"")).find("changes.nftTable: not a table name") !=
        std::string::npos);
  CHECK(message_of(edited("/changes/sysctls", "[{\"name\": \"kernel/core_pattern\", \"before\": \"x\"}]")) ==
        "binding state: changes.sysctls[0].name: not a net/ sysctl: \"kernel/core_pattern\"");
  CHECK(message_of(edited("/changes/sysctls", "[{\"name\": \"net/../../kernel/x\", \"before\": \"1\"}]")).find(
            "not a net/ sysctl") != std::string::npos);
  CHECK(message_of(edited("/changes/sysctls", "[{\"name\": \"net/ipv4/ip_forward\"}]")) ==
        "binding state: changes.sysctls[0].before: required field missing");
  CHECK(message_of(without("/guest", "serverAddress")) == "binding state: guest.serverAddress: required field missing");
  CHECK(message_of(without("/changes/nic", "newMac")) == "binding state: changes.nic.newMac: required field missing");
  CHECK(message_of(edited("/guest/dnsServers", "{}")) == "binding state: guest.dnsServers: must be an array");
}

TEST_CASE("binding state files: atomic write, strict read, incomplete refused for phase 2", "[net][binding]") {
  scoped_temp_dir dir{"podvisor-state-"};
  auto path = dir.path() / "eth0.json";
  CHECK(read_state(path).error() == errc::not_found);
  auto s = bridge_sample();
  s.complete = false;
  REQUIRE(write_state(path, s).ok());
  CHECK_FALSE(std::filesystem::exists(dir.path() / "eth0.json.tmp"));
  auto back = read_state(path);
  REQUIRE(back.has_value());
  CHECK(*back == s);
  auto phase2 = read_complete_state(path);
  REQUIRE_FALSE(phase2.has_value());
  CHECK(phase2.error() == errc::unavailable);
  s.complete = true;
  REQUIRE(write_state(path, s).ok());
  CHECK(read_complete_state(path).has_value());

  std::ofstream{path} << "{\"version\": 1}";
  auto bad = read_state(path);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error() == errc::parse_error);
  CHECK(bad.error().context == path.string());
  CHECK(bad.error().to_string().find("kind: required field missing") != std::string::npos);

  CHECK(write_state(dir.path() / "missing-dir" / "x.json", s).code == errc::not_found);
}

TEST_CASE("the guest part becomes net/dhcp's lease_config", "[net][binding]") {
  auto s = bridge_sample();
  auto c = to_lease_config(s.guest);
  REQUIRE(c.has_value());
  CHECK(c->client_mac == s.guest.mac);
  CHECK(c->address == s.guest.address);
  CHECK(c->prefix == 24);
  CHECK(c->gateway == s.guest.gateway);
  CHECK(c->routes == s.guest.routes);
  CHECK(c->dns_servers == s.guest.dns_servers);
  CHECK(c->search_domains == s.guest.search_domains);
  CHECK(c->mtu == 1450);
  CHECK(c->hostname == "web-1");
  CHECK(c->server_address == s.guest.server_address);
  CHECK(c->lease_seconds == podvisor::net::dhcp::infinite_lease);

  s.guest.search_domains = {"bad..label"};
  auto bad = to_lease_config(s.guest);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error() == errc::invalid_argument);
}

TEST_CASE("binding kinds and protocols have string tables", "[net][binding]") {
  for (auto k : {binding_kind::bridge, binding_kind::masquerade})
    CHECK(parse_binding_kind(to_string(k)) == k);
  CHECK_FALSE(parse_binding_kind("passt").has_value());
  for (auto p : {l4_protocol::tcp, l4_protocol::udp})
    CHECK(parse_l4_protocol(to_string(p)) == p);
  CHECK(parse_l4_protocol("TCP") == l4_protocol::tcp);
  CHECK_FALSE(parse_l4_protocol("sctp").has_value());
}

TEST_CASE("vmNetworkCIDR gives gateway .1 and guest .2", "[net][binding]") {
  auto n = parse_vm_network_cidr("10.0.2.0/24");
  REQUIRE(n.has_value());
  CHECK(n->gateway == *parse_ipv4("10.0.2.1"));
  CHECK(n->guest == *parse_ipv4("10.0.2.2"));
  CHECK(n->prefix == 24);
  auto host_bits = parse_vm_network_cidr("192.168.7.77/28");
  REQUIRE(host_bits.has_value());
  CHECK(host_bits->gateway == *parse_ipv4("192.168.7.65"));
  for (const char* bad : {"10.0.2.0", "10.0.2.0/31", "10.0.2/24", "10.0.2.0/x", "10.0.2.0/"})
    CHECK(parse_vm_network_cidr(bad).error() == errc::invalid_argument);
}

TEST_CASE("bridge names follow KubeVirt and fit the kernel's limit", "[net][binding]") {
  CHECK(bridge_name_for("eth0") == "k6t-eth0");
  CHECK(bridge_name_for("a-very-long-ifname") == "k6t-a-very-long");
  auto m = random_local_mac();
  CHECK((m.octets[0] & 0x03) == 0x02);
}
