#include "net/dhcp/packet.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::net::dhcp;

TEST_CASE("message_type string table round-trips every value", "[net][dhcp]") {
  for (std::size_t i = 1; i <= message_type_count; ++i) {
    auto t = static_cast<message_type>(i);
    CHECK(to_string(t) != "unknown");
    CHECK(parse_message_type(to_string(t)) == t);
  }
  CHECK(to_string(message_type::discover) == "DHCPDISCOVER");
  CHECK(to_string(static_cast<message_type>(0)) == "unknown");
  CHECK(to_string(static_cast<message_type>(9)) == "unknown");
  CHECK_FALSE(parse_message_type("discover").has_value());
}

TEST_CASE("option_code string table round-trips every value", "[net][dhcp]") {
  for (auto code : all_option_codes()) {
    CHECK(to_string(code) != "unknown");
    CHECK(parse_option_code(to_string(code)) == code);
  }
  CHECK(to_string(option_code::classless_static_routes) == "classless_static_routes");
  CHECK(to_string(static_cast<option_code>(200)) == "unknown");
}

TEST_CASE("bootp_op names", "[net][dhcp]") {
  CHECK(to_string(bootp_op::request) == "request");
  CHECK(to_string(bootp_op::reply) == "reply");
  CHECK(to_string(static_cast<bootp_op>(3)) == "unknown");
}

TEST_CASE("typed accessors check option lengths", "[net][dhcp]") {
  dhcp_packet p;
  CHECK_FALSE(p.type().has_value());
  p.set(option_code::message_type, {9});
  CHECK_FALSE(p.type().has_value());
  p.set(option_code::message_type, {3});
  CHECK(p.type() == message_type::request);
  p.set(option_code::requested_address, {10, 0, 2});
  CHECK_FALSE(p.requested_address().has_value());
  p.set(option_code::requested_address, {10, 0, 2, 2});
  CHECK(to_string(*p.requested_address()) == "10.0.2.2");
  p.set(option_code::max_message_size, {0x02, 0x40});
  CHECK(p.max_message_size() == 576);
  CHECK(p.parameter_request_list().empty());
  p.set(option_code::parameter_request_list, {1, 3});
  CHECK(p.parameter_request_list() == std::vector<std::uint8_t>{1, 3});
  p.remove(option_code::parameter_request_list);
  CHECK(p.find(option_code::parameter_request_list) == nullptr);
  p.hlen = 8;
  CHECK_FALSE(p.client_mac().has_value());
}
