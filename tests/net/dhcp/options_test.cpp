#include "net/dhcp/options.hpp"

#include <catch2/catch_test_macros.hpp>

#include "test_packets.hpp"

using namespace podvisor::net::dhcp;
using namespace podvisor::net::dhcp::test;
using bytes = std::vector<std::uint8_t>;

TEST_CASE("option 121 encodes the destination descriptors of RFC 3442 section 3", "[net][dhcp][options]") {
  // The RFC's table: subnet/mask → width byte plus significant octets; router appended.
  struct row {
    const char* subnet;
    std::uint8_t prefix;
    bytes descriptor;
  };
  const row rows[] = {
    {"0.0.0.0", 0, {0}},
    {"10.0.0.0", 8, {8, 10}},
    {"10.0.0.0", 24, {24, 10, 0, 0}},
    {"10.17.0.0", 16, {16, 10, 17}},
    {"10.27.129.0", 24, {24, 10, 27, 129}},
    {"10.229.0.128", 25, {25, 10, 229, 0, 128}},
    {"10.198.122.47", 32, {32, 10, 198, 122, 47}},
  };
  for (const auto& r : rows) {
    INFO(r.subnet << "/" << int{r.prefix});
    auto encoded = encode_classless_routes({route{ip(r.subnet), r.prefix, ip("10.0.2.1")}});
    REQUIRE(encoded.has_value());
    bytes expected = r.descriptor;
    expected.insert(expected.end(), {10, 0, 2, 1});
    CHECK(*encoded == expected);
    auto decoded = decode_classless_routes(*encoded);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == std::vector<route>{route{ip(r.subnet), r.prefix, ip("10.0.2.1")}});
  }
}

TEST_CASE("option 121 with several routes, host bits cleared", "[net][dhcp][options]") {
  auto encoded = encode_classless_routes({route{ip("192.168.7.9"), 16, ip("10.0.2.1")},
                                          route{ip("0.0.0.0"), 0, ip("10.0.2.1")}});
  REQUIRE(encoded.has_value());
  CHECK(*encoded == bytes{16, 192, 168, 10, 0, 2, 1, 0, 10, 0, 2, 1});
  CHECK_FALSE(encode_classless_routes({route{ip("10.0.0.0"), 33, ip("10.0.2.1")}}).has_value());
}

TEST_CASE("option 121 decoding refuses bad widths and truncation", "[net][dhcp][options]") {
  CHECK(decode_classless_routes(bytes{}).value().empty());
  CHECK_FALSE(decode_classless_routes(bytes{33, 10, 0, 0, 0, 10, 0, 2, 1}).has_value());
  bytes good{24, 10, 27, 129, 10, 0, 2, 1};
  for (std::size_t n = 1; n < good.size(); ++n) {
    INFO("length " << n);
    CHECK_FALSE(decode_classless_routes(std::span(good).first(n)).has_value());
  }
}

TEST_CASE("option 119 compresses like the example of RFC 3397 section 3", "[net][dhcp][options]") {
  auto encoded = encode_domain_search({"eng.apple.com.", "marketing.apple.com."});
  REQUIRE(encoded.has_value());
  const bytes expected{3,   'e', 'n', 'g', 5,   'a', 'p', 'p', 'l', 'e', 3,   'c', 'o', 'm',
                       0,   9,   'm', 'a', 'r', 'k', 'e', 't', 'i', 'n', 'g', 0xc0, 0x04};
  CHECK(*encoded == expected);
  auto decoded = decode_domain_search(*encoded);
  REQUIRE(decoded.has_value());
  CHECK(*decoded == std::vector<std::string>{"eng.apple.com", "marketing.apple.com"});
}

TEST_CASE("option 119 for a cluster's search list points at shared suffixes", "[net][dhcp][options]") {
  auto encoded = encode_domain_search({"default.svc.cluster.local", "svc.cluster.local", "cluster.local"});
  REQUIRE(encoded.has_value());
  // default(8) svc(4) cluster(8) local(6) root(1) = 27; then two pointers to 8 and 12.
  bytes expected{7, 'd', 'e', 'f', 'a', 'u', 'l', 't', 3, 's', 'v', 'c', 7, 'c', 'l', 'u', 's', 't',
                 'e', 'r', 5, 'l', 'o', 'c', 'a', 'l', 0, 0xc0, 8, 0xc0, 12};
  CHECK(*encoded == expected);
  CHECK(decode_domain_search(*encoded).value() ==
        std::vector<std::string>{"default.svc.cluster.local", "svc.cluster.local", "cluster.local"});
}

TEST_CASE("option 119 matches suffixes case-insensitively", "[net][dhcp][options]") {
  auto encoded = encode_domain_search({"a.Example.COM", "b.example.com"});
  REQUIRE(encoded.has_value());
  CHECK(encoded->size() == 2 + 8 + 4 + 1 + 2 + 2);
  CHECK(decode_domain_search(*encoded).value() == std::vector<std::string>{"a.Example.COM", "b.Example.COM"});
}

TEST_CASE("option 119 refuses names DNS cannot carry", "[net][dhcp][options]") {
  CHECK_FALSE(encode_domain_search({""}).has_value());
  CHECK_FALSE(encode_domain_search({"a..b"}).has_value());
  CHECK_FALSE(encode_domain_search({std::string(64, 'x') + ".com"}).has_value());
  std::string long_name;
  for (int i = 0; i < 51; ++i)
    long_name += "abcd.";
  long_name += "com";
  CHECK_FALSE(encode_domain_search({long_name}).has_value());
  CHECK(encode_domain_search({std::string(63, 'x') + ".com"}).has_value());
}

TEST_CASE("option 119 decoding refuses loops, forward pointers and truncation", "[net][dhcp][options]") {
  CHECK_FALSE(decode_domain_search(bytes{0xc0, 0x00}).has_value());             // points at itself
  CHECK_FALSE(decode_domain_search(bytes{1, 'a', 0xc0, 0x00}).has_value());     // into its own name
  CHECK_FALSE(decode_domain_search(bytes{1, 'a', 0, 0xc0, 0x05, 0}).has_value()); // forwards
  CHECK_FALSE(decode_domain_search(bytes{0x40, 'a', 0}).has_value());           // extended label type
  CHECK_FALSE(decode_domain_search(bytes{0}).has_value());                      // the root is no domain
  CHECK(decode_domain_search(bytes{}).value().empty());
  auto good = encode_domain_search({"eng.apple.com", "marketing.apple.com"}).value();
  for (std::size_t n = 1; n < good.size(); ++n) {
    INFO("length " << n);
    auto decoded = decode_domain_search(std::span(good).first(n));
    // 15 bytes hold exactly the first name; every other prefix ends inside a name.
    if (n == 15)
      CHECK(decoded.value() == std::vector<std::string>{"eng.apple.com"});
    else
      CHECK_FALSE(decoded.has_value());
  }
}

TEST_CASE("option 119 decoding stops names at 255 bytes", "[net][dhcp][options]") {
  bytes data;
  for (int i = 0; i < 5; ++i) {
    data.push_back(60);
    data.insert(data.end(), 60, 'x');
  }
  data.push_back(0);
  CHECK_FALSE(decode_domain_search(data).has_value());
}
