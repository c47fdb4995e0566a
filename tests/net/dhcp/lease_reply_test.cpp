// What goes into OFFER, ACK and NAK replies (net/dhcp/lease_reply.cpp): option choice and
// order, lease times, and fitting the client's maximum message size.
#include "net/dhcp/lease_reply.hpp"

#include <catch2/catch_test_macros.hpp>

#include "net/dhcp/codec.hpp"
#include "test_packets.hpp"

using namespace podvisor::net::dhcp;
using namespace podvisor::net::dhcp::test;
using bytes = std::vector<std::uint8_t>;

namespace {

void set_address(dhcp_packet& p, option_code code, const char* a) {
  p.set(code, address_bytes(ip(a)));
}

} // namespace

TEST_CASE("an ACK for dhclient carries everything it asked for, in its order", "[net][dhcp][lease_reply]") {
  auto config = masquerade_config();
  config.routes = {route{ip("10.100.0.0"), 16, ip("10.0.2.1")}};
  lease_state state;
  auto req = request(message_type::request);
  set_address(req, option_code::requested_address, "10.0.2.2");
  req.set(option_code::parameter_request_list, {1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42});
  auto reply = *decide(config, state, req).reply;
  std::vector<std::uint8_t> codes;
  for (const auto& o : reply.options)
    codes.push_back(o.code);
  // 53, 54, 51 first; infinite lease: no T1/T2; then the list's order (2, 44, 47, 42 unknown).
  CHECK(codes == bytes{53, 54, 51, 1, 28, 3, 15, 6, 119, 12, 26, 121});
  CHECK(reply.find(option_code::lease_time)->data == bytes{0xff, 0xff, 0xff, 0xff});
  CHECK(reply.find(option_code::subnet_mask)->data == bytes{255, 255, 255, 0});
  CHECK(reply.find(option_code::broadcast_address)->data == bytes{10, 0, 2, 255});
  CHECK(reply.find(option_code::router)->data == bytes{10, 0, 2, 1});
  CHECK(reply.find(option_code::dns_servers)->data == bytes{10, 96, 0, 10});
  CHECK(reply.find(option_code::interface_mtu)->data == bytes{0x05, 0xaa});
  CHECK(reply.find(option_code::hostname)->data == bytes{'w', 'e', 'b', '-', '1'});
  // dhclient ignores option 3 once 121 is there, so 121 carries the default route too.
  CHECK(decode_classless_routes(reply.find(option_code::classless_static_routes)->data).value() ==
        std::vector<route>{route{ip("10.100.0.0"), 16, ip("10.0.2.1")}, route{ip("0.0.0.0"), 0, ip("10.0.2.1")}});
  CHECK(decode_domain_search(reply.find(option_code::domain_search)->data).value() == config.search_domains);
}

TEST_CASE("udhcpc gets MTU unasked but not 119/121, which it did not request", "[net][dhcp][lease_reply]") {
  const auto config = masquerade_config();
  lease_state state;
  auto req = request(message_type::discover);
  req.set(option_code::parameter_request_list, {1, 3, 6, 12, 15, 28, 42});
  auto reply = *decide(config, state, req).reply;
  CHECK(reply.find(option_code::interface_mtu) != nullptr);
  CHECK(reply.find(option_code::classless_static_routes) == nullptr);
  CHECK(reply.find(option_code::domain_search) == nullptr);
  // A client without a list gets them all.
  auto bare = *decide(config, state, request(message_type::discover)).reply;
  CHECK(bare.find(option_code::classless_static_routes) != nullptr);
  CHECK(bare.find(option_code::domain_search) != nullptr);
}

TEST_CASE("the client identifier comes back unaltered (RFC 6842)", "[net][dhcp][lease_reply]") {
  const auto config = masquerade_config();
  lease_state state;
  auto req = request(message_type::discover);
  const bytes id{1, 0x52, 0x54, 0, 0x12, 0x34, 0x56};
  req.set(option_code::client_identifier, id);
  CHECK(decide(config, state, req).reply->find(option_code::client_identifier)->data == id);
  auto wrong = request(message_type::request);
  wrong.set(option_code::client_identifier, id);
  wrong.ciaddr = ip("10.0.2.9");
  auto nak = *decide(config, state, wrong).reply;
  CHECK(nak.type() == message_type::nak);
  CHECK(nak.find(option_code::client_identifier)->data == id);
  CHECK(state.client_identifier == id);
}

TEST_CASE("a client identifier too long for the client's limit is not echoed", "[net][dhcp][lease_reply]") {
  // Found by fuzz_dhcp_packet: a 504-byte option 61 made every reply exceed 548 bytes.
  const auto config = masquerade_config();
  for (auto type : {message_type::discover, message_type::request}) {
    lease_state state;
    auto req = request(type);
    req.set(option_code::client_identifier, bytes(504, 7));
    req.ciaddr = ip("10.0.2.9"); // a NAK for the REQUEST
    auto d = decide(config, state, req);
    REQUIRE(d.reply.has_value());
    CHECK(serialize(*d.reply).size() <= 548);
    CHECK(d.reply->find(option_code::client_identifier) == nullptr);
    CHECK(d.trimmed.front() == 61);
  }
}

TEST_CASE("reply_kind names", "[net][dhcp][lease_reply]") {
  CHECK(to_string(reply_kind::offer) == "offer");
  CHECK(to_string(reply_kind::ack) == "ack");
  CHECK(to_string(reply_kind::inform_ack) == "inform_ack");
  CHECK(to_string(reply_kind::nak) == "nak");
  CHECK(to_string(static_cast<reply_kind>(9)) == "unknown");
}

TEST_CASE("a finite lease sends T1 and T2", "[net][dhcp][lease_reply]") {
  auto config = masquerade_config();
  config.lease_seconds = 3600;
  lease_state state;
  auto reply = *decide(config, state, request(message_type::discover)).reply;
  CHECK(reply.find(option_code::lease_time)->data == bytes{0, 0, 0x0e, 0x10});
  CHECK(reply.find(option_code::renewal_time)->data == bytes{0, 0, 0x07, 0x08});
  CHECK(reply.find(option_code::rebinding_time)->data == bytes{0, 0, 0x0c, 0x4e});
}

TEST_CASE("a NAK says only who refuses and why", "[net][dhcp][lease_reply]") {
  const auto config = masquerade_config();
  lease_state state;
  auto req = request(message_type::request);
  req.ciaddr = ip("10.0.2.7");
  req.giaddr = ip("10.1.0.1");
  auto d = decide(config, state, req);
  const auto& nak = *d.reply;
  CHECK(nak.type() == message_type::nak);
  CHECK(nak.ciaddr.is_zero());
  CHECK(nak.yiaddr.is_zero());
  CHECK(nak.broadcast()); // relayed NAKs must be broadcast on the client's segment
  CHECK(d.destination == reply_destination::relay);
  CHECK(nak.find(option_code::lease_time) == nullptr);
  CHECK(nak.find(option_code::message) != nullptr);
  CHECK(state.naks == 1);
}

TEST_CASE("replies are trimmed to the client's maximum message size", "[net][dhcp][lease_reply]") {
  auto config = masquerade_config();
  config.search_domains.clear();
  for (int i = 0; i < 40; ++i)
    config.search_domains.push_back("team" + std::to_string(i) + ".example.org");
  config.hostname = std::string(100, 'h');
  lease_state state;
  auto req = request(message_type::discover);
  req.set(option_code::parameter_request_list, {1, 3, 6, 12, 15, 26, 28, 119, 121});
  req.set(option_code::max_message_size, {0x02, 0x40}); // udhcpc: 576
  auto d = decide(config, state, req);
  auto wire = serialize(*d.reply);
  CHECK(wire.size() <= 548);
  CHECK(d.trimmed == bytes{119});
  // The search list was shortened from the end, not dropped: the first domains remain.
  auto kept = decode_domain_search(d.reply->find(option_code::domain_search)->data).value();
  REQUIRE_FALSE(kept.empty());
  CHECK(kept.front() == "team0.example.org");
  CHECK(kept.size() < 40);
  // With a large limit nothing is trimmed, and the search option is split (RFC 3396).
  req.set(option_code::max_message_size, {0x05, 0xdc});
  auto big = decide(config, state, req);
  CHECK(big.trimmed.empty());
  CHECK(decode_domain_search(big.reply->find(option_code::domain_search)->data).value().size() == 40);
  CHECK(serialize(*big.reply).size() <= 1472);
}

TEST_CASE("whole options go when shortening the search list is not enough", "[net][dhcp][lease_reply]") {
  auto config = masquerade_config();
  config.hostname = std::string(250, 'h');
  config.domain_name = std::string(250, 'd');
  lease_state state;
  auto req = request(message_type::discover);
  req.set(option_code::parameter_request_list, {1, 3, 6, 12, 15});
  auto d = decide(config, state, req);
  CHECK(serialize(*d.reply).size() <= 548);
  // The unrequested 28 and 26 go before requested options, then 12 (the first in the drop
  // order among the requested ones).
  CHECK(d.trimmed == bytes{28, 26, 12});
  CHECK(d.reply->find(option_code::domain_name) != nullptr);
  CHECK(d.reply->find(option_code::subnet_mask) != nullptr);
}

