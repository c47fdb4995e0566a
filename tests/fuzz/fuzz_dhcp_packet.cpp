// libFuzzer harness: bytes from the bridge → parse_packet → (for what parses) re-encode,
// the lease decision for that client, and the reply encoded and parsed again. Any input
// must give a packet or a parse error; these invariants must hold for every packet:
//  - what parses re-encodes to something that parses to the same packet;
//  - a reply exists exactly when the decision says `answered`;
//  - a reply is a BOOTREPLY with the request's xid and chaddr, at least 300 bytes and
//    within the client's maximum message size, and parses back unchanged.
// The same bytes also go through the responder (net/dhcp/responder.hpp) as a datagram
// from the socket: it counts exactly one outcome, sends at most one reply (twice when it
// goes to ciaddr), and what it sends fits the limit and parses.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "net/dhcp/codec.hpp"
#include "net/dhcp/lease.hpp"
#include "net/dhcp/options.hpp"
#include "net/dhcp/responder.hpp"
#include "net/dhcp/socket.hpp"

using namespace podvisor::net::dhcp;

namespace {

void check(bool ok) {
  if (!ok)
    __builtin_trap();
}

lease_config config_for(const dhcp_packet& p) {
  lease_config c;
  // Serve the packet's own MAC so that every path past the MAC filter is reached.
  std::copy_n(p.chaddr.begin(), 6, c.client_mac.octets.begin());
  c.address = ipv4_address{{10, 0, 2, 2}};
  c.prefix = 24;
  c.gateway = ipv4_address{{10, 0, 2, 1}};
  c.routes = {route{ipv4_address{{10, 100, 0, 0}}, 16, ipv4_address{{10, 0, 2, 1}}}};
  c.dns_servers = {ipv4_address{{10, 96, 0, 10}}};
  c.search_domains = {"default.svc.cluster.local", "svc.cluster.local", "cluster.local"};
  c.domain_name = "cluster.local";
  c.mtu = 1450;
  c.hostname = "web-1";
  c.server_address = ipv4_address{{10, 0, 2, 1}};
  // Vary the lease time with the input so that T1/T2 are exercised too.
  c.lease_seconds = (p.xid & 1) != 0 ? infinite_lease : 3600;
  // And a VMI's dhcpOptions, large enough that trimming them is exercised.
  if ((p.xid & 2) != 0) {
    c.bootfile_name = std::string(200, 'b');
    c.tftp_server_name = "tftp.example.org";
    c.ntp_servers = {ipv4_address{{192, 0, 2, 123}}, ipv4_address{{192, 0, 2, 124}}};
    c.private_options = {{224, std::string(150, 'p')}, {254, ""}, {240, "x"}};
  }
  return c;
}

/// Records what the responder sends instead of sending it.
struct recording_socket final : packet_socket {
  std::vector<std::vector<std::uint8_t>> sent;
  podvisor::expected<std::optional<received_datagram>> receive(std::span<std::uint8_t>) override {
    return std::optional<received_datagram>{};
  }
  podvisor::error send(std::span<const std::uint8_t> bytes, const ipv4_address&, std::uint16_t) override {
    sent.emplace_back(bytes.begin(), bytes.end());
    return {};
  }
  int fd() const override { return -1; }
};

void check_responder(const std::uint8_t* data, std::size_t size) {
  dhcp_packet header; // only chaddr matters to config_for
  if (size >= 34)
    std::copy_n(data + 28, 6, header.chaddr.begin());
  recording_socket socket;
  responder r{config_for(header), socket};
  auto h = r.handle_datagram(std::span(data, size));
  const auto& s = r.stats();
  check(s.received == 1);
  std::uint64_t replies = 0;
  for (auto n : s.replied)
    replies += n;
  check(s.total_dropped() + replies + s.declines + s.releases == 1);
  // One datagram per reply; two when it goes to ciaddr (unicast plus broadcast copy).
  check(replies == 0 ? socket.sent.empty() : (socket.sent.size() == 1 || socket.sent.size() == 2));
  check(socket.sent.size() < 2 || socket.sent[0] == socket.sent[1]);
  check(h.reply_type.has_value() == (replies == 1));
  check(!h.dropped || socket.sent.empty());
  if (socket.sent.empty())
    return;
  auto request = parse_packet(std::span(data, size));
  check(request.has_value());
  check(socket.sent.front().size() <= max_reply_size(*request));
  check(parse_packet(socket.sent.front()).has_value());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check_responder(data, size);
  auto parsed = parse_packet(std::span(data, size));
  if (!parsed) {
    check(!parsed.error().message.empty());
    return 0;
  }
  const dhcp_packet& request = *parsed;

  auto wire = serialize(request);
  if (wire.size() <= max_packet_size) {
    auto again = parse_packet(wire);
    check(again.has_value() && *again == request);
  }
  // The structured options must decode or fail cleanly, whatever their bytes.
  if (const auto* o = request.find(option_code::classless_static_routes))
    (void)decode_classless_routes(o->data);
  if (const auto* o = request.find(option_code::domain_search))
    (void)decode_domain_search(o->data);

  auto config = config_for(request);
  lease_state state;
  auto d = decide(config, state, request);
  check(d.reply.has_value() == (d.reason == drop_reason::answered));
  check((d.destination == reply_destination::none) == !d.reply.has_value());
  (void)to_string(d.reason);
  if (!d.reply)
    return 0;
  const dhcp_packet& reply = *d.reply;
  check(reply.op == bootp_op::reply);
  check(reply.xid == request.xid);
  check(reply.chaddr == request.chaddr);
  auto type = reply.type();
  check(type == message_type::offer || type == message_type::ack || type == message_type::nak);
  auto bytes = serialize(reply);
  check(bytes.size() >= min_reply_size);
  check(bytes.size() <= max_reply_size(request));
  auto back = parse_packet(bytes);
  check(back.has_value() && *back == reply);
  return 0;
}
