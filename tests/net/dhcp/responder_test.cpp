#include "net/dhcp/responder.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>

#include "net/dhcp/codec.hpp"
#include "test_packets.hpp"

using namespace podvisor;
using namespace podvisor::net::dhcp;
using namespace podvisor::net::dhcp::test;
using bytes = std::vector<std::uint8_t>;

namespace {

/// A responder on one end of a datagram socketpair; the test plays the client on the
/// other end.
struct harness {
  int peer = -1;
  socketpair_socket* socket = nullptr;
  std::unique_ptr<socketpair_socket> owned;
  std::optional<responder> r;

  explicit harness(lease_config config = masquerade_config(), responder_options options = {}) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    owned = std::make_unique<socketpair_socket>(fds[0]);
    socket = owned.get();
    peer = fds[1];
    r.emplace(std::move(config), *socket, options);
  }
  ~harness() { ::close(peer); }

  void client_sends(const bytes& b) { REQUIRE(::send(peer, b.data(), b.size(), 0) == static_cast<ssize_t>(b.size())); }
  void client_sends(const dhcp_packet& p) { client_sends(serialize(p)); }

  /// The one reply waiting for the client, or nothing.
  std::optional<bytes> client_receives() {
    bytes b(70000);
    auto n = ::recv(peer, b.data(), b.size(), MSG_DONTWAIT);
    if (n < 0)
      return std::nullopt;
    b.resize(static_cast<std::size_t>(n));
    return b;
  }

  handled_packet exchange(const dhcp_packet& p) {
    client_sends(p);
    auto handled = r->handle_readable();
    REQUIRE(handled.has_value());
    REQUIRE(handled->size() == 1);
    return handled->front();
  }
};

dhcp_packet with_option(dhcp_packet p, option_code code, const char* address) {
  p.set(code, address_bytes(ip(address)));
  return p;
}

dhcp_packet selecting(const char* wanted = "10.0.2.2") {
  return with_option(with_option(request(message_type::request), option_code::server_identifier, "10.0.2.1"),
                     option_code::requested_address, wanted);
}

const ipv4_address broadcast_address{{255, 255, 255, 255}};

} // namespace

TEST_CASE("responder: DISCOVER → OFFER broadcast, REQUEST → ACK gives the lease", "[net][dhcp]") {
  harness h;
  auto offer = h.exchange(request(message_type::discover));
  CHECK(offer.reply_type == message_type::offer);
  CHECK(offer.destination == reply_destination::offered_address);
  CHECK_FALSE(offer.lease_given);
  CHECK(h.socket->last_destination() == std::pair{broadcast_address, client_port});
  auto wire = h.client_receives();
  REQUIRE(wire);
  auto parsed = parse_packet(*wire);
  REQUIRE(parsed);
  CHECK(parsed->type() == message_type::offer);
  CHECK(parsed->yiaddr == ip("10.0.2.2"));
  CHECK(h.r->lease().phase == lease_phase::offered);

  auto ack = h.exchange(selecting());
  CHECK(ack.reply_type == message_type::ack);
  CHECK(ack.lease_given);
  CHECK(h.r->bound());
  REQUIRE(h.client_receives());
  CHECK(h.r->stats().received == 2);
  CHECK(h.r->stats().replies(message_type::offer) == 1);
  CHECK(h.r->stats().replies(message_type::ack) == 1);
  CHECK(h.r->stats().total_dropped() == 0);
}

TEST_CASE("responder: renewal is unicast to ciaddr, INIT-REBOOT is ACKed", "[net][dhcp]") {
  harness h;
  auto renew = request(message_type::request);
  renew.ciaddr = ip("10.0.2.2");
  auto ack = h.exchange(renew);
  CHECK(ack.reply_type == message_type::ack);
  CHECK(ack.destination == reply_destination::client_address);
  // Unicast to ciaddr, then a broadcast copy for udhcpc (see send_reply).
  auto sent = h.socket->destinations();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0] == std::pair{ip("10.0.2.2"), client_port});
  CHECK(sent[1] == std::pair{broadcast_address, client_port});
  CHECK(h.client_receives());
  CHECK(h.client_receives());
  CHECK(h.r->stats().replies(message_type::ack) == 1);

  auto reboot = with_option(request(message_type::request), option_code::requested_address, "10.0.2.2");
  CHECK(h.exchange(reboot).reply_type == message_type::ack);
  CHECK(h.r->stats().replies(message_type::ack) == 2);
  CHECK(h.r->bound());
}

TEST_CASE("responder: a wrong requested address gets a broadcast NAK", "[net][dhcp]") {
  harness h;
  auto nak = h.exchange(selecting("10.0.2.99"));
  CHECK(nak.reply_type == message_type::nak);
  CHECK_FALSE(nak.lease_given);
  CHECK(h.socket->last_destination() == std::pair{broadcast_address, client_port});
  auto wrong_reboot = with_option(request(message_type::request), option_code::requested_address, "10.0.2.99");
  CHECK(h.exchange(wrong_reboot).reply_type == message_type::nak);
  // REBINDING (broadcast, ciaddr set, no server identifier) with an address not ours.
  auto wrong_rebind = request(message_type::request);
  wrong_rebind.ciaddr = ip("10.0.2.99");
  wrong_rebind.flags = broadcast_flag;
  auto nak3 = h.exchange(wrong_rebind);
  CHECK(nak3.reply_type == message_type::nak);
  CHECK(nak3.destination == reply_destination::broadcast);
  CHECK(h.r->stats().replies(message_type::nak) == 3);
  CHECK(h.r->lease().phase == lease_phase::init);
}

TEST_CASE("responder: RELEASE and DECLINE are recorded without an answer", "[net][dhcp]") {
  harness h;
  h.exchange(selecting());
  (void)h.client_receives();
  auto release = request(message_type::release);
  release.ciaddr = ip("10.0.2.2");
  auto r = h.exchange(release);
  CHECK_FALSE(r.reply_type);
  CHECK_FALSE(r.dropped);
  CHECK(h.r->stats().releases == 1);
  CHECK(h.r->lease().phase == lease_phase::released);
  CHECK_FALSE(h.client_receives());

  auto d = h.exchange(with_option(request(message_type::decline), option_code::requested_address, "10.0.2.2"));
  CHECK_FALSE(d.dropped);
  CHECK(h.r->stats().declines == 1);
  CHECK(h.r->lease().phase == lease_phase::declined);

  auto foreign_release = request(message_type::release);
  foreign_release.ciaddr = ip("10.0.2.77");
  CHECK(h.exchange(foreign_release).dropped == packet_drop::release_not_ours);
}

TEST_CASE("responder: INFORM is answered to ciaddr without giving a lease", "[net][dhcp]") {
  harness h;
  auto inform = request(message_type::inform);
  inform.ciaddr = ip("10.0.2.2");
  auto a = h.exchange(inform);
  CHECK(a.reply_type == message_type::ack);
  CHECK_FALSE(a.lease_given);
  CHECK(a.destination == reply_destination::client_address);
}

TEST_CASE("responder: bad datagrams are counted by reason and dropped", "[net][dhcp]") {
  harness h;
  auto expect_drop = [&](const bytes& b, packet_drop why) {
    h.client_sends(b);
    auto handled = h.r->handle_readable();
    REQUIRE(handled);
    REQUIRE(handled->size() == 1);
    CHECK(handled->front().dropped == why);
    CHECK_FALSE(h.client_receives());
  };
  auto good = serialize(request(message_type::discover));

  SECTION("truncated") {
    expect_drop(bytes(good.begin(), good.begin() + 100), packet_drop::truncated);
    expect_drop(bytes{}, packet_drop::truncated);
  }
  SECTION("oversized") {
    auto big = good;
    big.resize(1501, 0);
    expect_drop(big, packet_drop::oversized);
    CHECK(h.r->handle_datagram(good, /*truncated=*/true).dropped == packet_drop::oversized);
  }
  SECTION("malformed: no magic cookie, an option past the end, no END") {
    auto no_cookie = good;
    no_cookie[236] = 0;
    expect_drop(no_cookie, packet_drop::malformed);
    auto past_end = bytes(good.begin(), good.begin() + 240);
    past_end.insert(past_end.end(), {53, 200, 1});
    expect_drop(past_end, packet_drop::malformed);
    auto no_end = bytes(good.begin(), good.begin() + 243);
    expect_drop(no_end, packet_drop::malformed);
  }
  SECTION("foreign MAC, a reply, no message type, another server") {
    expect_drop(serialize(request(message_type::discover, other_mac)), packet_drop::foreign_client);
    auto reply = request(message_type::discover);
    reply.op = bootp_op::reply;
    expect_drop(serialize(reply), packet_drop::not_a_request);
    expect_drop(serialize(request(message_type::offer)), packet_drop::not_a_request);
    auto bootp = request(message_type::discover);
    bootp.remove(option_code::message_type);
    expect_drop(serialize(bootp), packet_drop::no_message_type);
    expect_drop(serialize(with_option(selecting(), option_code::server_identifier, "10.0.2.254")),
                packet_drop::other_server);
    expect_drop(serialize(request(message_type::request)), packet_drop::malformed_request);
  }
  CHECK(h.r->stats().total_dropped() == h.r->stats().received);
  CHECK(h.r->stats().replies(message_type::offer) == 0);
}

TEST_CASE("responder: replies stay within the client's maximum message size", "[net][dhcp]") {
  auto config = masquerade_config();
  for (int i = 0; i < 20; ++i)
    config.search_domains.push_back("namespace-" + std::to_string(i) + ".svc.example-cluster.internal");
  for (std::uint8_t i = 0; i < 30; ++i)
    config.routes.push_back(route{ipv4_address{{10, i, 0, 0}}, 16, ip("10.0.2.1")});
  REQUIRE_FALSE(validate(config));
  harness h{config};
  // udhcpc: option 57 = 576, asks for 119 and 121 with -O.
  auto discover = request(message_type::discover);
  discover.set(option_code::max_message_size, {0x02, 0x40});
  discover.set(option_code::parameter_request_list, {1, 3, 6, 12, 15, 28, 42, 119, 121});
  auto offer = h.exchange(discover);
  CHECK(offer.reply_type == message_type::offer);
  CHECK_FALSE(offer.trimmed.empty());
  auto wire = h.client_receives();
  REQUIRE(wire);
  CHECK(wire->size() <= 576 - 28);
  CHECK(parse_packet(*wire).has_value());
}

TEST_CASE("responder: handle_readable honours its budget", "[net][dhcp]") {
  harness h;
  for (int i = 0; i < 5; ++i)
    h.client_sends(request(message_type::discover));
  auto first = h.r->handle_readable(3);
  REQUIRE(first);
  CHECK(first->size() == 3);
  auto rest = h.r->handle_readable(3);
  REQUIRE(rest);
  CHECK(rest->size() == 2);
  auto none = h.r->handle_readable();
  REQUIRE(none);
  CHECK(none->empty());
}

namespace {
struct failing_socket final : packet_socket {
  expected<std::optional<received_datagram>> receive(std::span<std::uint8_t>) override {
    return error{errc::io_error, "recv: broken"};
  }
  error send(std::span<const std::uint8_t>, const ipv4_address&, std::uint16_t) override {
    return error{errc::io_error, "sendto: network unreachable"};
  }
  int fd() const override { return -1; }
};
} // namespace

TEST_CASE("responder: socket failures are reported, not thrown", "[net][dhcp]") {
  failing_socket s;
  responder r{masquerade_config(), s};
  auto h = r.handle_datagram(serialize(request(message_type::discover)));
  CHECK(h.dropped == packet_drop::send_failed);
  CHECK(h.detail.code == errc::io_error);
  CHECK(r.stats().drops(packet_drop::send_failed) == 1);
  CHECK_FALSE(r.handle_readable().has_value());
}

TEST_CASE("responder: packet_drop string table round-trips", "[net][dhcp]") {
  for (std::size_t i = 0; i < packet_drop_count; ++i) {
    auto d = static_cast<packet_drop>(i);
    CHECK(parse_packet_drop(to_string(d)) == d);
  }
  CHECK(to_string(static_cast<packet_drop>(200)) == "unknown");
  CHECK_FALSE(parse_packet_drop("nope"));
}

TEST_CASE("dhcp_socket: refuses bad interface names and missing devices", "[net][dhcp]") {
  CHECK(dhcp_socket::open("").error().code == errc::invalid_argument);
  CHECK(dhcp_socket::open("a-name-longer-than-ifnamsiz").error().code == errc::invalid_argument);
  auto missing = dhcp_socket::open("pvnosuchdev0");
  REQUIRE_FALSE(missing.has_value());
  CHECK((missing.error().code == errc::not_found || missing.error().code == errc::forbidden));
}
