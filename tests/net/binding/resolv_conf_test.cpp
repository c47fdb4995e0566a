#include "net/binding/resolv_conf.hpp"

#include <catch2/catch_test_macros.hpp>

#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::net::binding;
using podvisor::net::dhcp::parse_ipv4;

TEST_CASE("a Kubernetes pod's resolv.conf gives servers and search list", "[net][binding]") {
  auto r = parse_resolv_conf("search default.svc.cluster.local svc.cluster.local cluster.local\n"
                             "nameserver 10.96.0.10\n"
                             "options ndots:5\n");
  REQUIRE(r.nameservers.size() == 1);
  CHECK(r.nameservers[0] == *parse_ipv4("10.96.0.10"));
  CHECK(r.search == std::vector<std::string>{"default.svc.cluster.local", "svc.cluster.local", "cluster.local"});
}

TEST_CASE("resolv.conf: comments, IPv6 servers, duplicates, tabs and CRLF", "[net][binding]") {
  auto r = parse_resolv_conf("# generated\n"
                             "; also a comment\n"
                             "nameserver\t1.1.1.1   # trailing comment\r\n"
                             "nameserver fd00::10\n"
                             "nameserver 1.1.1.1\n"
                             "nameserver not-an-address\n"
                             "nameserver 8.8.8.8\n"
                             "sortlist 130.155.160.0/255.255.240.0\n"
                             "search example.com. corp.example.com example.com\n");
  REQUIRE(r.nameservers.size() == 2);
  CHECK(r.nameservers[0] == *parse_ipv4("1.1.1.1"));
  CHECK(r.nameservers[1] == *parse_ipv4("8.8.8.8"));
  CHECK(r.search == std::vector<std::string>{"example.com", "corp.example.com"});
}

TEST_CASE("resolv.conf: the last search or domain line wins", "[net][binding]") {
  CHECK(parse_resolv_conf("search a.example b.example\nsearch c.example\n").search == std::vector<std::string>{"c.example"});
  CHECK(parse_resolv_conf("search a.example\ndomain d.example\n").search == std::vector<std::string>{"d.example"});
  CHECK(parse_resolv_conf("domain d.example\nsearch a.example b.example\n").search ==
        std::vector<std::string>{"a.example", "b.example"});
  CHECK(parse_resolv_conf("").search.empty());
  CHECK(parse_resolv_conf("search\n").search.empty());
  CHECK(parse_resolv_conf("nameserver 10.0.0.1").nameservers.size() == 1); // no final newline
}

TEST_CASE("resolv.conf files: read, and a clear error when missing", "[net][binding]") {
  scoped_temp_dir dir{"podvisor-resolv-"};
  auto path = dir.write("resolv.conf", "nameserver 10.96.0.10\nsearch cluster.local\n");
  auto r = read_resolv_conf(path);
  REQUIRE(r.has_value());
  CHECK(r->search == std::vector<std::string>{"cluster.local"});
  auto missing = read_resolv_conf(dir.path() / "nope");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error() == errc::not_found);
  CHECK(missing.error().message.find("nope") != std::string::npos);
}
