#include "net/dhcp/lease.hpp"

#include <functional>

#include <catch2/catch_test_macros.hpp>

#include "net/dhcp/codec.hpp"
#include "test_packets.hpp"

using namespace podvisor;
using namespace podvisor::net::dhcp;
using namespace podvisor::net::dhcp::test;
using bytes = std::vector<std::uint8_t>;

namespace {

dhcp_packet with(dhcp_packet p, const std::function<void(dhcp_packet&)>& change) {
  change(p);
  return p;
}

void set_address(dhcp_packet& p, option_code code, const char* a) {
  p.set(code, address_bytes(ip(a)));
}

struct row {
  const char* name;
  dhcp_packet request;
  drop_reason reason;
  std::optional<message_type> reply;   // type of the reply, if any
  const char* yiaddr;                  // expected yiaddr of the reply
  reply_destination destination;
  lease_phase phase;                   // phase afterwards, from a fresh state
};

std::vector<row> table() {
  auto discover = request(message_type::discover);
  auto req = request(message_type::request);
  return {
    {"DISCOVER → OFFER", discover, drop_reason::answered, message_type::offer, "10.0.2.2",
     reply_destination::offered_address, lease_phase::offered},
    {"DISCOVER with the broadcast bit → broadcast OFFER", with(discover, [](auto& p) { p.flags = broadcast_flag; }),
     drop_reason::answered, message_type::offer, "10.0.2.2", reply_destination::broadcast, lease_phase::offered},
    {"DISCOVER through a relay → to the relay", with(discover, [](auto& p) { p.giaddr = ip("10.1.0.1"); }),
     drop_reason::answered, message_type::offer, "10.0.2.2", reply_destination::relay, lease_phase::offered},
    {"SELECTING, our server id, our address → ACK",
     with(req, [](auto& p) { set_address(p, option_code::server_identifier, "10.0.2.1");
                             set_address(p, option_code::requested_address, "10.0.2.2"); }),
     drop_reason::answered, message_type::ack, "10.0.2.2", reply_destination::offered_address, lease_phase::bound},
    {"SELECTING, our server id, another address → NAK",
     with(req, [](auto& p) { set_address(p, option_code::server_identifier, "10.0.2.1");
                             set_address(p, option_code::requested_address, "10.0.2.9"); }),
     drop_reason::answered, message_type::nak, "0.0.0.0", reply_destination::broadcast, lease_phase::init},
    {"SELECTING, another server's id → silence",
     with(req, [](auto& p) { set_address(p, option_code::server_identifier, "10.0.2.254");
                             set_address(p, option_code::requested_address, "10.0.2.2"); }),
     drop_reason::other_server, std::nullopt, "", reply_destination::none, lease_phase::init},
    {"INIT-REBOOT, our address → ACK",
     with(req, [](auto& p) { set_address(p, option_code::requested_address, "10.0.2.2"); }),
     drop_reason::answered, message_type::ack, "10.0.2.2", reply_destination::offered_address, lease_phase::bound},
    {"INIT-REBOOT, an old address from another network → NAK",
     with(req, [](auto& p) { set_address(p, option_code::requested_address, "192.168.1.50"); }),
     drop_reason::answered, message_type::nak, "0.0.0.0", reply_destination::broadcast, lease_phase::init},
    {"RENEWING (unicast, ciaddr ours) → ACK to ciaddr", with(req, [](auto& p) { p.ciaddr = ip("10.0.2.2"); }),
     drop_reason::answered, message_type::ack, "10.0.2.2", reply_destination::client_address, lease_phase::bound},
    {"REBINDING (broadcast bit, ciaddr ours) → ACK to ciaddr",
     with(req, [](auto& p) { p.ciaddr = ip("10.0.2.2"); p.flags = broadcast_flag; }),
     drop_reason::answered, message_type::ack, "10.0.2.2", reply_destination::client_address, lease_phase::bound},
    {"RENEWING a wrong address → NAK", with(req, [](auto& p) { p.ciaddr = ip("10.0.2.7"); }),
     drop_reason::answered, message_type::nak, "0.0.0.0", reply_destination::broadcast, lease_phase::init},
    {"REQUEST with no address at all → dropped", req, drop_reason::malformed_request, std::nullopt, "",
     reply_destination::none, lease_phase::init},
    {"DECLINE → recorded",
     with(request(message_type::decline), [](auto& p) { set_address(p, option_code::server_identifier, "10.0.2.1");
                                                       set_address(p, option_code::requested_address, "10.0.2.2"); }),
     drop_reason::decline_recorded, std::nullopt, "", reply_destination::none, lease_phase::declined},
    {"DECLINE to another server → ignored",
     with(request(message_type::decline), [](auto& p) { set_address(p, option_code::server_identifier, "10.9.9.9"); }),
     drop_reason::other_server, std::nullopt, "", reply_destination::none, lease_phase::init},
    {"RELEASE of our address → recorded",
     with(request(message_type::release), [](auto& p) { p.ciaddr = ip("10.0.2.2");
                                                       set_address(p, option_code::server_identifier, "10.0.2.1"); }),
     drop_reason::release_recorded, std::nullopt, "", reply_destination::none, lease_phase::released},
    {"RELEASE of another address → ignored", with(request(message_type::release), [](auto& p) { p.ciaddr = ip("10.0.2.3"); }),
     drop_reason::release_not_ours, std::nullopt, "", reply_destination::none, lease_phase::init},
    {"INFORM → ACK without a lease", with(request(message_type::inform), [](auto& p) { p.ciaddr = ip("10.0.2.2"); }),
     drop_reason::answered, message_type::ack, "0.0.0.0", reply_destination::client_address, lease_phase::init},
    {"DISCOVER from another MAC → ignored", request(message_type::discover, other_mac), drop_reason::foreign_client,
     std::nullopt, "", reply_destination::none, lease_phase::init},
    {"a non-Ethernet chaddr → ignored", with(discover, [](auto& p) { p.htype = 6; }), drop_reason::foreign_client,
     std::nullopt, "", reply_destination::none, lease_phase::init},
    {"a BOOTREPLY → ignored", with(discover, [](auto& p) { p.op = bootp_op::reply; }), drop_reason::not_a_request,
     std::nullopt, "", reply_destination::none, lease_phase::init},
    {"an OFFER sent by a client → ignored", request(message_type::offer), drop_reason::not_a_request, std::nullopt, "",
     reply_destination::none, lease_phase::init},
    {"plain BOOTP (no option 53) → ignored", with(discover, [](auto& p) { p.options.clear(); }),
     drop_reason::no_message_type, std::nullopt, "", reply_destination::none, lease_phase::init},
  };
}

} // namespace

TEST_CASE("lease decisions for every client state", "[net][dhcp][lease]") {
  const auto config = masquerade_config();
  REQUIRE(validate(config).ok());
  for (const auto& r : table()) {
    INFO(r.name);
    lease_state state;
    auto d = decide(config, state, r.request);
    CHECK(d.reason == r.reason);
    CHECK(d.destination == r.destination);
    CHECK(state.phase == r.phase);
    REQUIRE(d.reply.has_value() == r.reply.has_value());
    if (!d.reply)
      continue;
    const auto& reply = *d.reply;
    CHECK(reply.type() == r.reply);
    CHECK(to_string(reply.yiaddr) == r.yiaddr);
    CHECK(reply.op == bootp_op::reply);
    CHECK(reply.xid == r.request.xid);
    CHECK(reply.chaddr == r.request.chaddr);
    CHECK(reply.giaddr == r.request.giaddr);
    CHECK(to_string(*reply.server_identifier()) == "10.0.2.1");
    // Whatever we answer encodes within the client's limit and parses back unchanged.
    auto wire = serialize(reply);
    CHECK(wire.size() >= min_reply_size);
    CHECK(wire.size() <= max_reply_size(r.request));
    CHECK(parse_packet(wire).value() == reply);
    bool lease = reply.type() == message_type::offer ||
                 (reply.type() == message_type::ack && r.request.type() != message_type::inform);
    CHECK((reply.find(option_code::lease_time) != nullptr) == lease);
  }
}

TEST_CASE("the full dhclient flow: DISCOVER, REQUEST, renew, RELEASE", "[net][dhcp][lease]") {
  const auto config = masquerade_config();
  lease_state state;
  auto d = decide(config, state, request(message_type::discover));
  CHECK(d.reply->type() == message_type::offer);
  auto req = request(message_type::request);
  set_address(req, option_code::server_identifier, "10.0.2.1");
  set_address(req, option_code::requested_address, "10.0.2.2");
  CHECK(decide(config, state, req).reply->type() == message_type::ack);
  CHECK(state.phase == lease_phase::bound);
  auto renew = request(message_type::request);
  renew.ciaddr = ip("10.0.2.2");
  renew.xid = 77;
  auto ack = decide(config, state, renew);
  CHECK(to_string(ack.reply->ciaddr) == "10.0.2.2");
  CHECK(state.last_xid == 77);
  auto release = request(message_type::release);
  release.ciaddr = ip("10.0.2.2");
  decide(config, state, release);
  CHECK(state.phase == lease_phase::released);
  CHECK(state.offers == 1);
  CHECK(state.acks == 2);
  CHECK(state.releases == 1);
  CHECK(state.dropped == 0);
  decide(config, state, request(message_type::discover, other_mac));
  CHECK(state.dropped == 1);
}

TEST_CASE("validate names the broken field", "[net][dhcp][lease]") {
  auto check = [](const std::function<void(lease_config&)>& change, const char* field) {
    auto c = masquerade_config();
    change(c);
    auto e = validate(c);
    INFO(field);
    CHECK(e == errc::invalid_argument);
    CHECK(e.to_string().find(field) != std::string::npos);
  };
  check([](auto& c) { c.address = {}; }, "address");
  check([](auto& c) { c.server_address = {}; }, "server_address");
  check([](auto& c) { c.prefix = 33; }, "prefix");
  check([](auto& c) { c.mtu = 20; }, "mtu");
  check([](auto& c) { c.hostname = std::string(256, 'x'); }, "hostname");
  check([](auto& c) { c.search_domains = {"a..b"}; }, "search_domains");
  check([](auto& c) { c.routes = {route{{}, 40, {}}}; }, "routes");
  CHECK(validate(masquerade_config()).ok());
}

TEST_CASE("lease enums round-trip through their string tables", "[net][dhcp][lease]") {
  for (std::size_t i = 0; i <= static_cast<std::size_t>(lease_phase::released); ++i) {
    auto v = static_cast<lease_phase>(i);
    CHECK(to_string(v) != "unknown");
    CHECK(parse_lease_phase(to_string(v)) == v);
  }
  for (std::size_t i = 0; i <= static_cast<std::size_t>(drop_reason::release_not_ours); ++i) {
    auto v = static_cast<drop_reason>(i);
    CHECK(to_string(v) != "unknown");
    CHECK(parse_drop_reason(to_string(v)) == v);
  }
  for (std::size_t i = 0; i <= static_cast<std::size_t>(reply_destination::relay); ++i) {
    auto v = static_cast<reply_destination>(i);
    CHECK(to_string(v) != "unknown");
    CHECK(parse_reply_destination(to_string(v)) == v);
  }
  CHECK(to_string(static_cast<drop_reason>(200)) == "unknown");
  CHECK_FALSE(parse_lease_phase("Bound").has_value());
}
