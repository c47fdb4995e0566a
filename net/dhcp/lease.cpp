#include "net/dhcp/lease.hpp"

#include <array>

#include "net/dhcp/lease_reply.hpp"

namespace podvisor::net::dhcp {

namespace {

// String tables indexed by value; tests round-trip every entry.
constexpr std::array<std::string_view, 5> lease_phase_names = {
  "init", "offered", "bound", "declined", "released",
};
static_assert(static_cast<std::size_t>(lease_phase::released) + 1 == lease_phase_names.size());

constexpr std::array<std::string_view, 9> drop_reason_names = {
  "answered",          "not_a_request",    "foreign_client",   "no_message_type",  "other_server",
  "malformed_request", "decline_recorded", "release_recorded", "release_not_ours",
};
static_assert(static_cast<std::size_t>(drop_reason::release_not_ours) + 1 == drop_reason_names.size());

constexpr std::array<std::string_view, 5> reply_destination_names = {
  "none", "broadcast", "client_address", "offered_address", "relay",
};
static_assert(static_cast<std::size_t>(reply_destination::relay) + 1 == reply_destination_names.size());

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, E value) {
  auto i = static_cast<std::size_t>(value);
  return i < N ? names[i] : std::string_view{"unknown"};
}

template <class E, std::size_t N>
std::optional<E> parse_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name)
      return static_cast<E>(i);
  return std::nullopt;
}

decision drop(lease_state& state, drop_reason why) {
  ++state.dropped;
  return decision{std::nullopt, why, reply_destination::none, {}};
}

// RFC 2131 §4.1, "the server sends ... to": relay first, NAKs broadcast, then ciaddr, then
// the broadcast bit, else the offered address.
reply_destination destination_for(const dhcp_packet& request, const dhcp_packet& reply) {
  if (!request.giaddr.is_zero())
    return reply_destination::relay;
  if (reply.type() == message_type::nak)
    return reply_destination::broadcast;
  if (!request.ciaddr.is_zero())
    return reply_destination::client_address;
  if (request.broadcast() || reply.yiaddr.is_zero())
    return reply_destination::broadcast;
  return reply_destination::offered_address;
}

decision answer(const lease_config& config, lease_state& state, const dhcp_packet& request, reply_kind kind) {
  decision d;
  d.reply = build_reply(config, request, kind, d.trimmed);
  d.destination = destination_for(request, *d.reply);
  switch (kind) {
  case reply_kind::offer:
    state.phase = lease_phase::offered;
    ++state.offers;
    break;
  case reply_kind::ack:
    state.phase = lease_phase::bound;
    ++state.acks;
    break;
  case reply_kind::inform_ack:
    ++state.informs;
    break;
  case reply_kind::nak:
    state.phase = lease_phase::init;
    ++state.naks;
    break;
  }
  return d;
}

decision on_request(const lease_config& config, lease_state& state, const dhcp_packet& request) {
  auto server = request.server_identifier();
  auto requested = request.requested_address();
  if (server) {
    // SELECTING: the client answers one OFFER by naming its server.
    if (*server != config.server_address)
      return drop(state, drop_reason::other_server);
    auto wanted = requested ? *requested : request.ciaddr;
    return answer(config, state, request, wanted == config.address ? reply_kind::ack : reply_kind::nak);
  }
  if (!request.ciaddr.is_zero()) // RENEWING (unicast) or REBINDING (broadcast)
    return answer(config, state, request, request.ciaddr == config.address ? reply_kind::ack : reply_kind::nak);
  if (requested) // INIT-REBOOT: a client that remembers its lease
    return answer(config, state, request, *requested == config.address ? reply_kind::ack : reply_kind::nak);
  return drop(state, drop_reason::malformed_request);
}

} // namespace

std::string_view to_string(lease_phase p) {
  return name_of(lease_phase_names, p);
}
std::optional<lease_phase> parse_lease_phase(std::string_view name) {
  return parse_name<lease_phase>(lease_phase_names, name);
}
std::string_view to_string(drop_reason r) {
  return name_of(drop_reason_names, r);
}
std::optional<drop_reason> parse_drop_reason(std::string_view name) {
  return parse_name<drop_reason>(drop_reason_names, name);
}
std::string_view to_string(reply_destination d) {
  return name_of(reply_destination_names, d);
}
std::optional<reply_destination> parse_reply_destination(std::string_view name) {
  return parse_name<reply_destination>(reply_destination_names, name);
}

error validate(const lease_config& c) {
  auto invalid = [](std::string what) { return error{errc::invalid_argument, std::move(what)}; };
  if (c.address.is_zero())
    return invalid("address: must be set");
  if (c.server_address.is_zero())
    return invalid("server_address: must be set");
  if (c.prefix > 32)
    return invalid("prefix: " + std::to_string(c.prefix) + " above 32");
  if (c.mtu != 0 && c.mtu < 68)
    return invalid("mtu: " + std::to_string(c.mtu) + " below the IPv4 minimum of 68");
  if (c.hostname.size() > 255)
    return invalid("hostname: longer than 255 bytes");
  if (c.domain_name.size() > 255)
    return invalid("domain_name: longer than 255 bytes");
  if (c.bootfile_name.size() > 255)
    return invalid("bootfile_name: longer than 255 bytes");
  if (c.tftp_server_name.size() > 255)
    return invalid("tftp_server_name: longer than 255 bytes");
  for (std::size_t i = 0; i < c.ntp_servers.size(); ++i) {
    const auto& a = c.ntp_servers[i];
    if (a.is_zero() || a.to_uint() == 0xffffffffu)
      return invalid("ntp_servers[" + std::to_string(i) + "]: " + to_string(a) + " is not a server address");
  }
  for (std::size_t i = 0; i < c.private_options.size(); ++i) {
    const auto& o = c.private_options[i];
    auto at = "private_options[" + std::to_string(i) + "]: ";
    if (o.code < first_private_option || o.code > last_private_option)
      return invalid(at + "option " + std::to_string(o.code) + " is not a site-specific code (224 to 254)");
    for (std::size_t j = 0; j < i; ++j)
      if (c.private_options[j].code == o.code)
        return invalid(at + "option " + std::to_string(o.code) + " given twice (first at private_options[" +
                       std::to_string(j) + "])");
    if (o.value.size() > 255)
      return invalid(at + "value of option " + std::to_string(o.code) + " longer than 255 bytes");
  }
  if (auto r = encode_classless_routes(c.routes); !r)
    return r.error().with_context("routes");
  if (!c.search_domains.empty())
    if (auto s = encode_domain_search(c.search_domains); !s)
      return s.error().with_context("search_domains");
  return {};
}

decision decide(const lease_config& config, lease_state& state, const dhcp_packet& request) {
  if (request.op != bootp_op::request)
    return drop(state, drop_reason::not_a_request);
  if (request.client_mac() != config.client_mac)
    return drop(state, drop_reason::foreign_client);
  auto type = request.type();
  if (!type)
    return drop(state, drop_reason::no_message_type);
  state.last_xid = request.xid;
  if (const auto* id = request.find(option_code::client_identifier))
    state.client_identifier = id->data;
  auto server = request.server_identifier();
  switch (*type) {
  case message_type::discover:
    return answer(config, state, request, reply_kind::offer);
  case message_type::request:
    return on_request(config, state, request);
  case message_type::decline:
    if (server && *server != config.server_address)
      return drop(state, drop_reason::other_server);
    state.phase = lease_phase::declined;
    ++state.declines;
    return decision{std::nullopt, drop_reason::decline_recorded, reply_destination::none, {}};
  case message_type::release:
    if (server && *server != config.server_address)
      return drop(state, drop_reason::other_server);
    if (request.ciaddr != config.address)
      return drop(state, drop_reason::release_not_ours);
    state.phase = lease_phase::released;
    ++state.releases;
    return decision{std::nullopt, drop_reason::release_recorded, reply_destination::none, {}};
  case message_type::inform:
    return answer(config, state, request, reply_kind::inform_ack);
  case message_type::offer:
  case message_type::ack:
  case message_type::nak:
    break;
  }
  return drop(state, drop_reason::not_a_request);
}

} // namespace podvisor::net::dhcp
