#include "net/dhcp/lease_reply.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "net/dhcp/codec.hpp"

namespace podvisor::net::dhcp {

namespace {

// A configuration option that may go into a reply.
struct candidate {
  option_code code;
  std::vector<std::uint8_t> data;
  bool requested = false;
};

// The order in which whole options are given up when a reply is too large, the most
// expendable first: the VMI's extras (site-specific options, then NTP, TFTP server, boot
// file), which a guest's connectivity does not depend on, then the network options.
// Message type, server identifier and lease times are never dropped.
constexpr std::array drop_order = {
  option_code::ntp_servers,   option_code::tftp_server_name,        option_code::bootfile_name,
  option_code::domain_search, option_code::classless_static_routes, option_code::hostname,
  option_code::domain_name,   option_code::broadcast_address,       option_code::interface_mtu,
  option_code::dns_servers,   option_code::router,                  option_code::subnet_mask,
};

bool is_private(option_code code) {
  auto v = static_cast<std::uint8_t>(code);
  return v >= first_private_option && v <= last_private_option;
}

bool is_extra(option_code code) {
  return is_private(code) || code == option_code::ntp_servers || code == option_code::tftp_server_name ||
         code == option_code::bootfile_name;
}

std::vector<std::uint8_t> text(const std::string& s) {
  // Text options (12, 15, 66, 67, private values) are at most 255 bytes here (validate);
  // a longer one is cut, never split, because clients read them as one string.
  return {s.begin(), s.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(s.size(), 255))};
}

std::vector<route> routes_with_default(const lease_config& c) {
  std::vector<route> routes = c.routes;
  bool has_default = std::any_of(routes.begin(), routes.end(), [](const route& r) { return r.prefix == 0; });
  if (c.gateway && !has_default)
    routes.push_back(route{{}, 0, *c.gateway});
  return routes;
}

std::vector<candidate> configuration_options(const lease_config& c, const std::vector<std::uint8_t>& prl) {
  auto asked = [&prl](option_code code) {
    return std::find(prl.begin(), prl.end(), static_cast<std::uint8_t>(code)) != prl.end();
  };
  std::vector<candidate> out;
  auto add = [&](option_code code, std::vector<std::uint8_t> data) {
    out.push_back(candidate{code, std::move(data), asked(code)});
  };
  add(option_code::subnet_mask, address_bytes(netmask(c.prefix)));
  if (c.gateway)
    add(option_code::router, address_bytes(*c.gateway));
  if (!c.dns_servers.empty()) {
    std::vector<std::uint8_t> dns;
    for (const auto& a : c.dns_servers)
      dns.insert(dns.end(), a.octets.begin(), a.octets.end());
    add(option_code::dns_servers, std::move(dns));
  }
  if (!c.hostname.empty())
    add(option_code::hostname, text(c.hostname));
  if (!c.domain_name.empty())
    add(option_code::domain_name, text(c.domain_name));
  if (c.mtu >= 68)
    add(option_code::interface_mtu, {static_cast<std::uint8_t>(c.mtu >> 8), static_cast<std::uint8_t>(c.mtu)});
  if (c.prefix < 31) {
    auto bcast = ipv4_address::from_uint(c.address.to_uint() | ~netmask(c.prefix).to_uint());
    add(option_code::broadcast_address, address_bytes(bcast));
  }
  if (!c.ntp_servers.empty()) {
    std::vector<std::uint8_t> ntp;
    for (const auto& a : c.ntp_servers)
      ntp.insert(ntp.end(), a.octets.begin(), a.octets.end());
    add(option_code::ntp_servers, std::move(ntp));
  }
  if (!c.tftp_server_name.empty())
    add(option_code::tftp_server_name, text(c.tftp_server_name));
  if (!c.bootfile_name.empty())
    add(option_code::bootfile_name, text(c.bootfile_name));
  for (const auto& o : c.private_options)
    if (o.code >= first_private_option && o.code <= last_private_option)
      add(static_cast<option_code>(o.code), text(o.value));
  bool no_list = prl.empty();
  if (no_list || asked(option_code::classless_static_routes)) {
    auto routes = routes_with_default(c);
    if (auto encoded = encode_classless_routes(routes); encoded && !routes.empty())
      add(option_code::classless_static_routes, std::move(*encoded));
  }
  if ((no_list || asked(option_code::domain_search)) && !c.search_domains.empty()) {
    if (auto encoded = encode_domain_search(c.search_domains))
      add(option_code::domain_search, std::move(*encoded));
  }
  // RFC 2131 §4.3.1: try to answer in the order the client asked.
  std::stable_sort(out.begin(), out.end(), [&prl](const candidate& a, const candidate& b) {
    auto rank = [&prl](const candidate& x) {
      auto it = std::find(prl.begin(), prl.end(), static_cast<std::uint8_t>(x.code));
      return static_cast<std::size_t>(it - prl.begin());
    };
    return rank(a) < rank(b);
  });
  return out;
}

dhcp_packet header(const lease_config& c, const dhcp_packet& request, reply_kind kind) {
  dhcp_packet p;
  p.op = bootp_op::reply;
  p.htype = request.htype;
  p.hlen = request.hlen;
  p.xid = request.xid;
  p.flags = request.flags;
  p.giaddr = request.giaddr;
  p.chaddr = request.chaddr;
  switch (kind) {
  case reply_kind::offer:
    p.yiaddr = c.address;
    break;
  case reply_kind::ack:
    // RFC 2131 table 3: ciaddr of an ACK is the request's ciaddr (renewing, rebinding).
    p.ciaddr = request.ciaddr;
    p.yiaddr = c.address;
    break;
  case reply_kind::inform_ack:
    p.ciaddr = request.ciaddr;
    break;
  case reply_kind::nak:
    // A NAK through a relay must be broadcast on the client's segment (§4.3.2).
    if (!request.giaddr.is_zero())
      p.flags |= broadcast_flag;
    break;
  }
  return p;
}

message_type type_of(reply_kind kind) {
  switch (kind) {
  case reply_kind::offer:
    return message_type::offer;
  case reply_kind::nak:
    return message_type::nak;
  case reply_kind::ack:
  case reply_kind::inform_ack:
    break;
  }
  return message_type::ack;
}

std::size_t encoded_size(const dhcp_packet& head, const std::vector<candidate>& options) {
  // The header, cookie and END are fixed; options add code + length per 255-byte chunk.
  std::size_t size = options_offset + 1;
  for (const auto& o : head.options)
    size += o.data.size() + 2 * std::max<std::size_t>(1, (o.data.size() + 254) / 255);
  for (const auto& o : options)
    size += o.data.size() + 2 * std::max<std::size_t>(1, (o.data.size() + 254) / 255);
  return std::max(size, min_reply_size);
}

// Removes the option the trimming order gives up next among those whose `requested`
// flag matches: site-specific options first (the last configured first), then
// `drop_order`. False when none is left.
bool drop_next(std::vector<candidate>& options, bool requested, std::vector<std::uint8_t>& trimmed) {
  auto remove = [&](std::vector<candidate>::iterator it) {
    auto v = static_cast<std::uint8_t>(it->code);
    if (std::find(trimmed.begin(), trimmed.end(), v) == trimmed.end())
      trimmed.push_back(v);
    options.erase(it);
    return true;
  };
  for (auto it = options.rbegin(); it != options.rend(); ++it)
    if (is_private(it->code) && it->requested == requested)
      return remove(std::next(it).base());
  for (auto code : drop_order) {
    auto it = std::find_if(options.begin(), options.end(),
                           [&](const candidate& o) { return o.code == code && o.requested == requested; });
    if (it != options.end())
      return remove(it);
  }
  return false;
}

// Shrinks `options` until the reply fits `limit`, recording what was touched.
void fit(const lease_config& c, const dhcp_packet& head, std::vector<candidate>& options, std::size_t limit,
         std::vector<std::uint8_t>& trimmed) {
  auto too_big = [&] { return encoded_size(head, options) > limit; };
  // First the extras the client did not ask for: it has no use for them, and they may be
  // long (boot file, private values of up to 255 bytes each).
  while (too_big()) {
    auto it = std::find_if(options.begin(), options.end(),
                           [](const candidate& o) { return is_extra(o.code) && !o.requested; });
    if (it == options.end() || !drop_next(options, false, trimmed))
      break;
  }
  // Then shorten the search list from its end: the first domains matter most.
  auto search = std::find_if(options.begin(), options.end(),
                             [](const candidate& o) { return o.code == option_code::domain_search; });
  if (search != options.end()) {
    std::vector<std::string> domains = c.search_domains;
    while (too_big() && domains.size() > 1) {
      domains.pop_back();
      if (auto encoded = encode_domain_search(domains))
        search->data = std::move(*encoded);
      if (auto v = static_cast<std::uint8_t>(option_code::domain_search);
          std::find(trimmed.begin(), trimmed.end(), v) == trimmed.end())
        trimmed.push_back(v);
    }
  }
  // Then drop whole options, those the client did not ask for before those it did.
  for (bool requested : {false, true})
    while (too_big() && drop_next(options, requested, trimmed)) {
    }
}

} // namespace

std::string_view to_string(reply_kind kind) {
  switch (kind) {
  case reply_kind::offer:
    return "offer";
  case reply_kind::ack:
    return "ack";
  case reply_kind::inform_ack:
    return "inform_ack";
  case reply_kind::nak:
    return "nak";
  }
  return "unknown";
}

dhcp_packet build_reply(const lease_config& c, const dhcp_packet& request, reply_kind kind,
                        std::vector<std::uint8_t>& trimmed) {
  dhcp_packet p = header(c, request, kind);
  p.set(option_code::message_type, {static_cast<std::uint8_t>(type_of(kind))});
  p.set(option_code::server_identifier, address_bytes(c.server_address));
  // RFC 6842: a client identifier comes back unaltered, in every reply including NAKs;
  // clients that match replies by it drop replies without it.
  if (const auto* id = request.find(option_code::client_identifier))
    p.set(option_code::client_identifier, id->data);
  if (kind == reply_kind::nak) {
    std::string why = "requested address is not yours";
    p.set(option_code::message, {why.begin(), why.end()});
  } else if (kind != reply_kind::inform_ack) {
    std::vector<std::uint8_t> lease;
    put_u32(lease, c.lease_seconds);
    p.set(option_code::lease_time, std::move(lease));
    if (c.lease_seconds != infinite_lease) {
      std::vector<std::uint8_t> t1;
      std::vector<std::uint8_t> t2;
      put_u32(t1, c.lease_seconds / 2);
      put_u32(t2, static_cast<std::uint32_t>(std::uint64_t{c.lease_seconds} * 7 / 8));
      p.set(option_code::renewal_time, std::move(t1));
      p.set(option_code::rebinding_time, std::move(t2));
    }
  }
  auto limit = max_reply_size(request);
  // Real identifiers are a few bytes; one so long that the reply cannot fit is not
  // echoed (a reply over the client's limit helps nobody). Without it the fixed part
  // always fits: it is under 300 bytes, and every limit is at least 548.
  if (encoded_size(p, {}) > limit) {
    p.remove(option_code::client_identifier);
    trimmed.push_back(static_cast<std::uint8_t>(option_code::client_identifier));
  }
  if (kind == reply_kind::nak)
    return p;
  auto options = configuration_options(c, request.parameter_request_list());
  fit(c, p, options, limit, trimmed);
  for (auto& o : options)
    p.set(o.code, std::move(o.data));
  return p;
}

} // namespace podvisor::net::dhcp
