// Percent-encoding, query strings and server URLs.

#include <catch2/catch_test_macros.hpp>

#include "kube/client/url.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;

TEST_CASE("percent_encode keeps only unreserved characters", "[kube][client]") {
  CHECK(percent_encode("") == "");
  CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(percent_encode("a b+c,d=e&f/g?h#i%j") == "a%20b%2Bc%2Cd%3De%26f%2Fg%3Fh%23i%25j");
  CHECK(percent_encode("app in (a,b),!x") == "app%20in%20%28a%2Cb%29%2C%21x");
  CHECK(percent_encode(std::string("\0\xff", 2)) == "%00%FF");
}

TEST_CASE("query_builder encodes keys and values and keeps order", "[kube][client]") {
  CHECK(query_builder{}.str().empty());
  query_builder q;
  q.add("labelSelector", "app=web,tier in (a,b)").add_if("fieldSelector", "").add("limit", "2").add("empty", "");
  CHECK(q.str() == "?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29&limit=2&empty=");
}

TEST_CASE("parse_server_url accepts host names, IPv4, bracketed IPv6, default ports and prefixes", "[kube][client]") {
  auto a = parse_server_url("https://127.0.0.1:6443");
  REQUIRE(a);
  CHECK(a->scheme == "https");
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 6443);
  CHECK(a->base_path.empty());
  CHECK(a->origin() == "https://127.0.0.1:6443");

  auto b = parse_server_url("https://[::1]:8443/");
  REQUIRE(b);
  CHECK(b->host == "::1");
  CHECK(b->port == 8443);
  CHECK(b->host_port() == "[::1]:8443");
  CHECK(b->base_path.empty());

  auto c = parse_server_url("https://api.example.com/k8s/clusters/c-1/");
  REQUIRE(c);
  CHECK(c->host == "api.example.com");
  CHECK(c->port == 443);
  CHECK(c->base_path == "/k8s/clusters/c-1");

  auto d = parse_server_url("http://localhost");
  REQUIRE(d);
  CHECK(d->port == 80);
  CHECK(parse_server_url("https://[fe80::1]")->host == "fe80::1");
}

TEST_CASE("parse_server_url refuses what it cannot use, saying why", "[kube][client]") {
  struct bad {
    const char* url;
    const char* says;
  };
  const bad cases[] = {
    {"127.0.0.1:6443", "must start with https://"},
    {"ftp://x", "must start with https://"},
    {"https://", "no host"},
    {"https://:6443", "no host"},
    {"https://::1:6443", "brackets"},
    {"https://[::1", "unclosed"},
    {"https://[::1]x", "after ']'"},
    {"https://h:0", "bad port"},
    {"https://h:65536", "bad port"},
    {"https://h:12a", "bad port"},
    {"https://h:", "empty port"},
    {"https://u:p@h", "user info"},
    {"https://h/?x=1", "query"},
  };
  for (const auto& c : cases) {
    INFO(c.url);
    auto r = parse_server_url(c.url);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK(r.error().message.find(c.says) != std::string::npos);
  }
}
