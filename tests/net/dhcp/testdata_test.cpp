// The seed packets in tests/testdata/dhcp (what udhcpc and dhclient send, per the
// shared reference) parse, and the lease logic answers each as those clients expect.
#include <catch2/catch_test_macros.hpp>

#include "net/dhcp/codec.hpp"
#include "net/dhcp/lease.hpp"
#include "test_packets.hpp"

using namespace podvisor::net::dhcp;
using namespace podvisor::net::dhcp::test;

namespace {

dhcp_packet load(const std::string& name) {
  auto bytes = read_hex(name);
  REQUIRE(bytes.size() >= 300);
  auto p = parse_packet(bytes);
  INFO(name << ": " << (p ? "" : p.error().to_string()));
  REQUIRE(p.has_value());
  return *p;
}

} // namespace

TEST_CASE("udhcpc's DISCOVER gets an OFFER within 576 bytes", "[net][dhcp][testdata]") {
  auto p = load("udhcpc_discover.hex");
  CHECK(p.type() == message_type::discover);
  CHECK(p.max_message_size() == 576);
  CHECK(p.find(option_code::client_identifier)->data.size() == 7);
  CHECK_FALSE(p.broadcast());
  lease_state state;
  auto d = decide(masquerade_config(), state, p);
  REQUIRE(d.reply.has_value());
  CHECK(d.reply->type() == message_type::offer);
  CHECK(serialize(*d.reply).size() <= 548);
  CHECK(state.client_identifier == p.find(option_code::client_identifier)->data);
}

TEST_CASE("udhcpc's selecting REQUEST and renew are ACKed", "[net][dhcp][testdata]") {
  lease_state state;
  auto selecting = load("udhcpc_request_selecting.hex");
  CHECK(to_string(*selecting.server_identifier()) == "10.0.2.1");
  auto ack = decide(masquerade_config(), state, selecting);
  CHECK(ack.reply->type() == message_type::ack);
  auto renew = load("udhcpc_renew.hex");
  CHECK(to_string(renew.ciaddr) == "10.0.2.2");
  auto again = decide(masquerade_config(), state, renew);
  CHECK(again.reply->type() == message_type::ack);
  CHECK(again.destination == reply_destination::client_address);
}

TEST_CASE("dhclient's DISCOVER and INIT-REBOOT are answered with 119 and 121", "[net][dhcp][testdata]") {
  lease_state state;
  auto discover = load("dhclient_discover.hex");
  CHECK(discover.find(option_code::hostname)->data == std::vector<std::uint8_t>{'g', 'u', 'e', 's', 't'});
  CHECK(discover.find(option_code::client_identifier) == nullptr);
  auto offer = decide(masquerade_config(), state, discover);
  CHECK(offer.reply->find(option_code::classless_static_routes) != nullptr);
  CHECK(offer.reply->find(option_code::domain_search) != nullptr);
  auto reboot = load("dhclient_init_reboot.hex");
  CHECK(reboot.server_identifier() == std::nullopt);
  CHECK(reboot.ciaddr.is_zero());
  auto ack = decide(masquerade_config(), state, reboot);
  CHECK(ack.reply->type() == message_type::ack);
}

TEST_CASE("dhclient's RELEASE is recorded", "[net][dhcp][testdata]") {
  lease_state state;
  auto d = decide(masquerade_config(), state, load("dhclient_release.hex"));
  CHECK(d.reason == drop_reason::release_recorded);
  CHECK(state.phase == lease_phase::released);
}

TEST_CASE("every seed packet cut at every length is refused cleanly", "[net][dhcp][testdata]") {
  for (const char* name : {"udhcpc_discover.hex", "udhcpc_request_selecting.hex", "udhcpc_renew.hex",
                           "dhclient_discover.hex", "dhclient_init_reboot.hex", "dhclient_release.hex"}) {
    auto bytes = read_hex(name);
    auto p = parse_packet(bytes);
    REQUIRE(p.has_value());
    // The padding after END may go; anything cutting into the options must fail.
    auto end = serialize(*p);
    std::size_t options_end = options_offset;
    for (const auto& o : p->options)
      options_end += 2 + o.data.size();
    for (std::size_t n = 0; n <= options_end; ++n) {
      INFO(name << " cut to " << n);
      CHECK_FALSE(parse_packet(std::span(bytes).first(n)).has_value());
    }
    CHECK(parse_packet(std::span(bytes).first(options_end + 1)).has_value());
    CHECK(end == bytes); // what we parse, we write back byte for byte
  }
}
