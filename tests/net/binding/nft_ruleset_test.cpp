#include "net/binding/nft_ruleset.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::net::binding;
using podvisor::net::dhcp::parse_ipv4;

namespace {
masquerade_rules sample() {
  masquerade_rules r;
  r.pod_interface = "eth0";
  r.pod_address = *parse_ipv4("10.244.1.5");
  r.guest_address = *parse_ipv4("10.0.2.2");
  return r;
}
} // namespace

TEST_CASE("masquerade ruleset: every port forwarded, reload in one transaction", "[net][binding]") {
  auto text = render_masquerade_ruleset(sample());
  REQUIRE(text.has_value());
  CHECK(*text == "table ip podvisor\n"
                 "delete table ip podvisor\n"
                 "table ip podvisor {\n"
                 "  chain prerouting {\n"
                 "    type nat hook prerouting priority dstnat; policy accept;\n"
                 "    iifname \"eth0\" ip daddr 10.244.1.5 dnat to 10.0.2.2\n"
                 "  }\n"
                 "  chain output {\n"
                 "    type nat hook output priority -100; policy accept;\n"
                 "    ip daddr 10.244.1.5 dnat to 10.0.2.2\n"
                 "  }\n"
                 "  chain postrouting {\n"
                 "    type nat hook postrouting priority srcnat; policy accept;\n"
                 "    ip saddr 10.0.2.2 oifname \"eth0\" masquerade\n"
                 "  }\n"
                 "}\n");
}

TEST_CASE("masquerade ruleset: declared ports per protocol, excluded ports return first", "[net][binding]") {
  auto r = sample();
  r.table = "pv_test";
  r.ports = {{l4_protocol::tcp, 80}, {l4_protocol::udp, 53}, {l4_protocol::tcp, 443}};
  r.excluded = {{l4_protocol::tcp, 8443}, {l4_protocol::tcp, 15000}};
  auto text = render_masquerade_ruleset(r);
  REQUIRE(text.has_value());
  CHECK(text->starts_with("table ip pv_test\ndelete table ip pv_test\ntable ip pv_test {\n"));
  auto pre = text->substr(text->find("chain prerouting"), text->find("chain output") - text->find("chain prerouting"));
  CHECK(pre == "chain prerouting {\n"
               "    type nat hook prerouting priority dstnat; policy accept;\n"
               "    iifname \"eth0\" tcp dport { 8443, 15000 } return\n"
               "    iifname \"eth0\" ip daddr 10.244.1.5 tcp dport { 80, 443 } dnat to 10.0.2.2\n"
               "    iifname \"eth0\" ip daddr 10.244.1.5 udp dport { 53 } dnat to 10.0.2.2\n"
               "  }\n  ");
  CHECK(text->find("    tcp dport { 8443, 15000 } return\n    ip daddr 10.244.1.5 tcp dport { 80, 443 }") !=
        std::string::npos);
}

TEST_CASE("masquerade ruleset: names nft could misread are refused", "[net][binding]") {
  auto r = sample();
  r.pod_interface = "eth0\" accept #";
  CHECK(render_masquerade_ruleset(r).error() == errc::invalid_argument);
  r = sample();
  r.pod_interface = "";
  CHECK(render_masquerade_ruleset(r).error() == errc::invalid_argument);
  r = sample();
  r.table = "pv test";
  CHECK(render_masquerade_ruleset(r).error() == errc::invalid_argument);
  r = sample();
  r.ports = {{l4_protocol::tcp, 0}};
  CHECK(render_masquerade_ruleset(r).error() == errc::invalid_argument);
}

TEST_CASE("deleting the table works whether or not it exists", "[net][binding]") {
  CHECK(render_delete_table("podvisor") == "table ip podvisor\ndelete table ip podvisor\n");
}
