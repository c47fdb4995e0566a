// The DHCP responder actor with a real scheduler and its real reader thread, over a
// socketpair: the test writes requests into the peer end, reads replies from it, asks
// for stats and plays the lease listener with a scoped actor.
#include "actors/launcher/dhcp_responder_actor.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <catch2/catch_test_macros.hpp>

#include "actors/system/config.hpp"
#include "net/dhcp/codec.hpp"
#include "protocols/dhcp.hpp"
#include "tests/net/dhcp/test_packets.hpp"

using namespace podvisor;
using namespace podvisor::net::dhcp;
using namespace podvisor::net::dhcp::test;
using namespace std::chrono_literals;

namespace {

struct fixture {
  actors::system_config cfg;
  caf::actor_system sys{cfg.set_scheduler_threads(2)};
  caf::scoped_actor self{sys};
  int peer = -1;
  protocols::dhcp_responder_actor responder;

  explicit fixture(bool with_listener = true) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    peer = fds[1];
    actors::launcher::dhcp_responder_config config{"k6t-eth0", masquerade_config(), {}};
    auto listener = with_listener ? caf::actor_cast<protocols::dhcp_lease_listener_actor>(self.ptr())
                                  : protocols::dhcp_lease_listener_actor{};
    auto spawned = actors::launcher::spawn_dhcp_responder(sys, config, std::make_unique<socketpair_socket>(fds[0]),
                                                          listener);
    REQUIRE(spawned.has_value());
    responder = *spawned;
  }
  ~fixture() {
    if (responder) {
      self->send_exit(responder, caf::exit_reason::user_shutdown);
      self->wait_for(responder);
    }
    ::close(peer);
  }
  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;

  void client_sends(const std::vector<std::uint8_t>& b) {
    REQUIRE(::send(peer, b.data(), b.size(), 0) == static_cast<ssize_t>(b.size()));
  }

  /// The next reply, waiting up to 5 s.
  std::optional<dhcp_packet> client_receives() {
    pollfd p{peer, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1)
      return std::nullopt;
    std::vector<std::uint8_t> b(2000);
    auto n = ::recv(peer, b.data(), b.size(), 0);
    if (n <= 0)
      return std::nullopt;
    b.resize(static_cast<std::size_t>(n));
    auto parsed = parse_packet(b);
    if (!parsed)
      return std::nullopt;
    return *parsed;
  }

  protocols::dhcp_stats stats() {
    protocols::dhcp_stats out;
    self->request(responder, 5s, protocols::dhcp_stats_atom_v)
      .receive([&](protocols::dhcp_stats& s) { out = std::move(s); },
               [&](caf::error& e) { FAIL("stats request failed: " << sys.render(e)); });
    return out;
  }

  std::uint64_t dropped(const protocols::dhcp_stats& s, const std::string& reason) {
    for (const auto& d : s.dropped)
      if (d.reason == reason)
        return d.count;
    return 0;
  }
};

dhcp_packet selecting() {
  auto p = request(message_type::request);
  p.set(option_code::server_identifier, address_bytes(ip("10.0.2.1")));
  p.set(option_code::requested_address, address_bytes(ip("10.0.2.2")));
  return p;
}

} // namespace

TEST_CASE("dhcp responder actor: hands out the lease and tells the listener", "[actors][launcher][dhcp]") {
  fixture f;
  f.client_sends(serialize(request(message_type::discover)));
  auto offer = f.client_receives();
  REQUIRE(offer);
  CHECK(offer->type() == message_type::offer);
  CHECK(offer->yiaddr == ip("10.0.2.2"));

  f.client_sends(serialize(selecting()));
  auto ack = f.client_receives();
  REQUIRE(ack);
  CHECK(ack->type() == message_type::ack);

  bool told = false;
  f.self->receive(
    [&](protocols::dhcp_lease_given& g) {
      told = true;
      CHECK(g.interface == "k6t-eth0");
      CHECK(g.mac == "52:54:00:12:34:56");
      CHECK(g.address == "10.0.2.2");
      CHECK(g.prefix == 24);
      CHECK(g.xid == 0x11223344u);
      CHECK_FALSE(g.renewal);
    },
    caf::after(5s) >> [] {});
  CHECK(told);

  // A renewal is another lease given, marked as such.
  auto renew = request(message_type::request);
  renew.ciaddr = ip("10.0.2.2");
  f.client_sends(serialize(renew));
  REQUIRE(f.client_receives());
  bool renewal = false;
  f.self->receive([&](protocols::dhcp_lease_given& g) { renewal = g.renewal; }, caf::after(5s) >> [] {});
  CHECK(renewal);

  auto s = f.stats();
  CHECK(s.phase == "bound");
  CHECK(s.address == "10.0.2.2/24");
  CHECK(s.received == 3);
  CHECK(s.offers == 1);
  CHECK(s.acks == 2);
  CHECK(s.dropped.size() == packet_drop_count);
}

TEST_CASE("dhcp responder actor: bad datagrams are counted, the actor keeps serving", "[actors][launcher][dhcp]") {
  fixture f{false};
  f.client_sends({1, 2, 3});
  f.client_sends(std::vector<std::uint8_t>(400, 0xff));
  f.client_sends(serialize(request(message_type::discover, other_mac)));
  f.client_sends(std::vector<std::uint8_t>(1600, 0));
  f.client_sends(serialize(request(message_type::discover)));
  auto offer = f.client_receives();
  REQUIRE(offer);
  CHECK(offer->type() == message_type::offer);
  auto s = f.stats();
  CHECK(s.received == 5);
  CHECK(f.dropped(s, "truncated") == 1);
  CHECK(f.dropped(s, "malformed") == 1);
  CHECK(f.dropped(s, "foreign_client") == 1);
  CHECK(f.dropped(s, "oversized") == 1);
  CHECK(s.offers == 1);
}

TEST_CASE("dhcp responder actor: shutdown joins the reader and closes the socket", "[actors][launcher][dhcp]") {
  fixture f;
  f.self->monitor(f.responder);
  f.self->send_exit(f.responder, caf::exit_reason::user_shutdown);
  bool down = false;
  f.self->receive([&](caf::down_msg&) { down = true; }, caf::after(5s) >> [] {});
  CHECK(down);
  f.responder = nullptr;
  // The responder's end is closed: writing to the peer fails.
  std::uint8_t byte = 0;
  CHECK(::send(f.peer, &byte, 1, MSG_DONTWAIT) < 0);
}

TEST_CASE("dhcp responder actor: refuses a configuration that does not validate", "[actors][launcher][dhcp]") {
  actors::system_config cfg;
  caf::actor_system sys{cfg.set_scheduler_threads(1)};
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) == 0);
  auto config = masquerade_config();
  config.address = {};
  auto spawned = actors::launcher::spawn_dhcp_responder(sys, {"k6t-eth0", config, {}},
                                                        std::make_unique<socketpair_socket>(fds[0]), {});
  REQUIRE_FALSE(spawned.has_value());
  CHECK(spawned.error().code == errc::invalid_argument);
  ::close(fds[1]);
}
