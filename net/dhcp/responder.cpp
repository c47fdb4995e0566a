#include "net/dhcp/responder.hpp"

#include <numeric>

#include "net/dhcp/codec.hpp"

namespace podvisor::net::dhcp {

namespace {

// Indexed by value; a test round-trips every entry.
constexpr std::array<std::string_view, packet_drop_count> packet_drop_names = {
  "oversized",    "truncated",         "malformed",        "not_a_request", "foreign_client",
  "no_message_type", "other_server", "malformed_request", "release_not_ours", "send_failed",
};
static_assert(static_cast<std::size_t>(packet_drop::send_failed) + 1 == packet_drop_names.size());

} // namespace

std::string_view to_string(packet_drop d) {
  auto i = static_cast<std::size_t>(d);
  return i < packet_drop_names.size() ? packet_drop_names[i] : std::string_view{"unknown"};
}

std::optional<packet_drop> parse_packet_drop(std::string_view name) {
  for (std::size_t i = 0; i < packet_drop_names.size(); ++i)
    if (packet_drop_names[i] == name)
      return static_cast<packet_drop>(i);
  return std::nullopt;
}

std::uint64_t responder_stats::total_dropped() const {
  return std::accumulate(dropped.begin(), dropped.end(), std::uint64_t{0});
}

responder::responder(lease_config config, packet_socket& socket, responder_options options)
    : config_(std::move(config)), socket_(socket), options_(options), buffer_(options.max_request_size) {}

packet_drop responder::to_packet_drop(drop_reason r) const {
  switch (r) {
  case drop_reason::not_a_request:
    return packet_drop::not_a_request;
  case drop_reason::foreign_client:
    return packet_drop::foreign_client;
  case drop_reason::no_message_type:
    return packet_drop::no_message_type;
  case drop_reason::other_server:
    return packet_drop::other_server;
  case drop_reason::malformed_request:
    return packet_drop::malformed_request;
  case drop_reason::release_not_ours:
    return packet_drop::release_not_ours;
  case drop_reason::answered:
  case drop_reason::decline_recorded:
  case drop_reason::release_recorded:
    break;
  }
  return packet_drop::malformed_request; // not reached: callers pass drop reasons only
}

handled_packet responder::handle_datagram(std::span<const std::uint8_t> bytes, bool truncated) {
  ++stats_.received;
  handled_packet out;
  auto dropped = [&](packet_drop why, error detail = {}) {
    ++stats_.dropped[static_cast<std::size_t>(why)];
    out.dropped = why;
    out.detail = std::move(detail);
    return out;
  };
  if (truncated || bytes.size() > options_.max_request_size)
    return dropped(packet_drop::oversized);
  if (bytes.size() < options_offset)
    return dropped(packet_drop::truncated, error{errc::parse_error, "truncated: " + std::to_string(bytes.size()) +
                                                                        " bytes, a DHCP message needs at least " +
                                                                        std::to_string(options_offset)});
  auto request = parse_packet(bytes);
  if (!request)
    return dropped(packet_drop::malformed, request.error());
  out.request_type = request->type();
  out.xid = request->xid;

  auto d = decide(config_, lease_, *request);
  switch (d.reason) {
  case drop_reason::answered:
    break;
  case drop_reason::decline_recorded:
    ++stats_.declines;
    return out;
  case drop_reason::release_recorded:
    ++stats_.releases;
    return out;
  default:
    return dropped(to_packet_drop(d.reason));
  }
  auto wire = serialize(*d.reply);
  if (auto e = send_reply(socket_, wire, d.destination, *request))
    return dropped(packet_drop::send_failed, std::move(e));
  out.reply_type = d.reply->type();
  out.destination = d.destination;
  out.trimmed = std::move(d.trimmed);
  if (out.reply_type)
    ++stats_.replied[static_cast<std::size_t>(*out.reply_type)];
  out.lease_given = out.reply_type == message_type::ack && out.request_type == message_type::request;
  return out;
}

expected<std::vector<handled_packet>> responder::handle_readable(std::size_t budget) {
  std::vector<handled_packet> handled;
  while (handled.size() < budget) {
    auto got = socket_.receive(buffer_);
    if (!got)
      return got.error();
    if (!*got)
      break;
    handled.push_back(handle_datagram(std::span(buffer_.data(), (*got)->size), (*got)->truncated));
  }
  return handled;
}

} // namespace podvisor::net::dhcp
