#include "net/dhcp/packet.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace podvisor::net::dhcp {

namespace {

// Indexed by value - 1; a test round-trips every entry.
constexpr std::array<std::string_view, message_type_count> message_type_names = {
  "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE",
  "DHCPACK",      "DHCPNAK",   "DHCPRELEASE", "DHCPINFORM",
};

static_assert(static_cast<std::size_t>(message_type::inform) == message_type_count,
              "message_type_names must list every message_type");

struct option_name {
  option_code code;
  std::string_view name;
};

constexpr std::array option_names = {
  option_name{option_code::pad, "pad"},
  option_name{option_code::subnet_mask, "subnet_mask"},
  option_name{option_code::router, "router"},
  option_name{option_code::dns_servers, "dns_servers"},
  option_name{option_code::hostname, "hostname"},
  option_name{option_code::domain_name, "domain_name"},
  option_name{option_code::interface_mtu, "interface_mtu"},
  option_name{option_code::broadcast_address, "broadcast_address"},
  option_name{option_code::ntp_servers, "ntp_servers"},
  option_name{option_code::requested_address, "requested_address"},
  option_name{option_code::lease_time, "lease_time"},
  option_name{option_code::overload, "overload"},
  option_name{option_code::message_type, "message_type"},
  option_name{option_code::server_identifier, "server_identifier"},
  option_name{option_code::parameter_request_list, "parameter_request_list"},
  option_name{option_code::message, "message"},
  option_name{option_code::max_message_size, "max_message_size"},
  option_name{option_code::renewal_time, "renewal_time"},
  option_name{option_code::rebinding_time, "rebinding_time"},
  option_name{option_code::vendor_class, "vendor_class"},
  option_name{option_code::client_identifier, "client_identifier"},
  option_name{option_code::tftp_server_name, "tftp_server_name"},
  option_name{option_code::bootfile_name, "bootfile_name"},
  option_name{option_code::domain_search, "domain_search"},
  option_name{option_code::classless_static_routes, "classless_static_routes"},
  option_name{option_code::end, "end"},
};

constexpr auto option_code_list = [] {
  std::array<option_code, option_names.size()> out{};
  for (std::size_t i = 0; i < option_names.size(); ++i)
    out[i] = option_names[i].code;
  return out;
}();

std::optional<ipv4_address> address_option(const dhcp_packet& p, option_code code) {
  const auto* o = p.find(code);
  if (o == nullptr || o->data.size() != 4)
    return std::nullopt;
  return ipv4_address{{o->data[0], o->data[1], o->data[2], o->data[3]}};
}

} // namespace

std::string_view to_string(bootp_op op) {
  switch (op) {
  case bootp_op::request:
    return "request";
  case bootp_op::reply:
    return "reply";
  }
  return "unknown";
}

std::string_view to_string(message_type t) {
  auto v = static_cast<std::size_t>(t);
  return v >= 1 && v <= message_type_count ? message_type_names[v - 1] : std::string_view{"unknown"};
}

std::optional<message_type> parse_message_type(std::string_view name) {
  for (std::size_t i = 0; i < message_type_names.size(); ++i)
    if (message_type_names[i] == name)
      return static_cast<message_type>(i + 1);
  return std::nullopt;
}

std::string_view to_string(option_code code) {
  for (const auto& entry : option_names)
    if (entry.code == code)
      return entry.name;
  return "unknown";
}

std::optional<option_code> parse_option_code(std::string_view name) {
  for (const auto& entry : option_names)
    if (entry.name == name)
      return entry.code;
  return std::nullopt;
}

std::span<const option_code> all_option_codes() {
  return option_code_list;
}

const dhcp_option* dhcp_packet::find(std::uint8_t code) const {
  for (const auto& o : options)
    if (o.code == code)
      return &o;
  return nullptr;
}

void dhcp_packet::set(option_code code, std::vector<std::uint8_t> data) {
  auto c = static_cast<std::uint8_t>(code);
  for (auto& o : options)
    if (o.code == c) {
      o.data = std::move(data);
      return;
    }
  options.push_back(dhcp_option{c, std::move(data)});
}

void dhcp_packet::remove(option_code code) {
  auto c = static_cast<std::uint8_t>(code);
  std::erase_if(options, [c](const dhcp_option& o) { return o.code == c; });
}

std::optional<message_type> dhcp_packet::type() const {
  const auto* o = find(option_code::message_type);
  if (o == nullptr || o->data.size() != 1 || o->data[0] < 1 || o->data[0] > message_type_count)
    return std::nullopt;
  return static_cast<message_type>(o->data[0]);
}

std::optional<ipv4_address> dhcp_packet::requested_address() const {
  return address_option(*this, option_code::requested_address);
}

std::optional<ipv4_address> dhcp_packet::server_identifier() const {
  return address_option(*this, option_code::server_identifier);
}

std::optional<std::uint16_t> dhcp_packet::max_message_size() const {
  const auto* o = find(option_code::max_message_size);
  if (o == nullptr || o->data.size() != 2)
    return std::nullopt;
  return static_cast<std::uint16_t>((o->data[0] << 8) | o->data[1]);
}

std::vector<std::uint8_t> dhcp_packet::parameter_request_list() const {
  const auto* o = find(option_code::parameter_request_list);
  return o == nullptr ? std::vector<std::uint8_t>{} : o->data;
}

std::optional<mac_address> dhcp_packet::client_mac() const {
  if (htype != 1 || hlen != 6)
    return std::nullopt;
  mac_address m;
  std::copy_n(chaddr.begin(), 6, m.octets.begin());
  return m;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

std::vector<std::uint8_t> address_bytes(const ipv4_address& a) {
  return {a.octets.begin(), a.octets.end()};
}

} // namespace podvisor::net::dhcp
