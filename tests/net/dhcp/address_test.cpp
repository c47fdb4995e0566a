#include "net/dhcp/address.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::net::dhcp;

TEST_CASE("IPv4 addresses parse and print as dotted quads", "[net][dhcp]") {
  auto a = parse_ipv4("10.0.2.2");
  REQUIRE(a.has_value());
  CHECK(a->to_uint() == 0x0a000202u);
  CHECK(to_string(*a) == "10.0.2.2");
  CHECK(ipv4_address::from_uint(0xc0a80101u) == *parse_ipv4("192.168.1.1"));
  for (const char* bad : {"", "10.0.2", "10.0.2.2.", "256.0.0.1", "1.2.3.-4", "a.b.c.d", "1..2.3", "1.2.3.4 "})
    CHECK_FALSE(parse_ipv4(bad).has_value());
}

TEST_CASE("netmask of every prefix length", "[net][dhcp]") {
  CHECK(to_string(netmask(0)) == "0.0.0.0");
  CHECK(to_string(netmask(8)) == "255.0.0.0");
  CHECK(to_string(netmask(25)) == "255.255.255.128");
  CHECK(to_string(netmask(32)) == "255.255.255.255");
}

TEST_CASE("MAC addresses parse and print in lower case", "[net][dhcp]") {
  auto m = parse_mac("52:54:00:AB:cd:0f");
  REQUIRE(m.has_value());
  CHECK(to_string(*m) == "52:54:00:ab:cd:0f");
  for (const char* bad : {"", "52:54:00:ab:cd", "52-54-00-ab-cd-0f", "52:54:00:ab:cd:0g"})
    CHECK_FALSE(parse_mac(bad).has_value());
}
