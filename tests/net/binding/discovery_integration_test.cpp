#include "net/binding/discovery.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/net/binding/netns_fixture.hpp"

using namespace podvisor;
using namespace podvisor::net::binding;
using namespace podvisor::net::binding::testing;
using podvisor::net::dhcp::parse_ipv4;
using podvisor::net::dhcp::parse_mac;

namespace {
expected<pod_interface> discover_in(const test_netns& ns, const discovery_options& o) {
  return run_in_netns(ns.ref(), [&]() -> expected<pod_interface> {
    auto nl = rtnl::open();
    if (!nl)
      return nl.error();
    return discover(*nl, o);
  });
}
} // namespace

TEST_CASE("discovery finds the pod interface by its default route", "[net][binding][integration]") {
  pod_fixture f;
  f.pod.ip("link add extra0 type bridge");
  auto mac = *parse_mac(f.pod.ip_json("link show eth0")[0]["address"].get<std::string>());
  auto pod = discover_in(f.pod, {.interface = {}, .resolv_conf = f.resolv_conf});
  REQUIRE(pod.has_value());
  CHECK(pod->link.name == "eth0");
  CHECK(pod->link.type == "veth");
  CHECK(pod->link.mac == mac);
  CHECK(pod->link.mtu == 1450);
  CHECK(pod->address.address == *parse_ipv4("10.244.1.5"));
  CHECK(pod->address.prefix == 24);
  CHECK(pod->gateway == parse_ipv4("10.244.1.1"));
  CHECK(pod->resolver.nameservers == std::vector{*parse_ipv4("10.96.0.10")});
  CHECK(pod->resolver.search.size() == 3);
  auto routes = guest_routes(*pod);
  REQUIRE(routes.size() == 1);
  CHECK(routes[0].destination == *parse_ipv4("10.96.0.0"));
  CHECK(routes[0].prefix == 12);
  CHECK(routes[0].gateway == *parse_ipv4("10.244.1.1"));
}

TEST_CASE("discovery: a named interface, and clear errors", "[net][binding][integration]") {
  pod_fixture f;
  f.pod.ip("link add extra0 type bridge");
  f.pod.ip("addr add 192.168.50.2/28 dev extra0");
  auto named = discover_in(f.pod, {.interface = "extra0", .resolv_conf = {}});
  REQUIRE(named.has_value());
  CHECK(named->address.address == *parse_ipv4("192.168.50.2"));
  CHECK_FALSE(named->gateway.has_value());

  CHECK(discover_in(f.pod, {.interface = "nope0", .resolv_conf = {}}).error() == errc::not_found);
  f.pod.ip("link add bare0 type bridge");
  auto bare = discover_in(f.pod, {.interface = "bare0", .resolv_conf = {}});
  REQUIRE_FALSE(bare.has_value());
  CHECK(bare.error().message == "pod interface bare0 has no IPv4 address");
  auto no_resolv = discover_in(f.pod, {.interface = {}, .resolv_conf = f.dir.path() / "missing"});
  CHECK(no_resolv.error() == errc::not_found);

  test_netns empty{"empty"};
  auto none = discover_in(empty, {});
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().message == "no IPv4 default route to find the pod interface by");
}
