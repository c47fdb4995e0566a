#pragma once
// A BOOTP/DHCPv4 message as values (RFC 2131 section 2, RFC 2132 for options): the fixed
// header fields and the options, each option already reassembled from every instance the
// sender split it into (RFC 3396), so that callers never see the wire's 255-byte limit.
// codec.hpp turns bytes into this and back.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/dhcp/address.hpp"

namespace podvisor::net::dhcp {

/// The BOOTP `op` field.
enum class bootp_op : std::uint8_t {
  /// Client to server.
  request = 1,
  /// Server to client.
  reply = 2,
};

/// "request" / "reply"; "unknown" otherwise.
std::string_view to_string(bootp_op op);

/// DHCP message types (option 53, RFC 2132 section 9.6).
enum class message_type : std::uint8_t {
  discover = 1,
  offer = 2,
  request = 3,
  decline = 4,
  ack = 5,
  nak = 6,
  release = 7,
  inform = 8,
};

/// Number of message types; their values are 1 .. message_type_count.
inline constexpr std::size_t message_type_count = 8;

/// "DHCPDISCOVER" ... "DHCPINFORM", as RFC 2131 and packet captures name them; "unknown"
/// otherwise.
std::string_view to_string(message_type t);
/// Parses the names `to_string` gives.
std::optional<message_type> parse_message_type(std::string_view name);

/// The option codes this library knows by name (RFC 2132 unless noted). Options with other
/// codes are carried as opaque bytes.
enum class option_code : std::uint8_t {
  pad = 0,
  subnet_mask = 1,
  router = 3,
  dns_servers = 6,
  hostname = 12,
  domain_name = 15,
  interface_mtu = 26,
  broadcast_address = 28,
  ntp_servers = 42,
  requested_address = 50,
  lease_time = 51,
  overload = 52,
  message_type = 53,
  server_identifier = 54,
  parameter_request_list = 55,
  message = 56,
  max_message_size = 57,
  renewal_time = 58,
  rebinding_time = 59,
  vendor_class = 60,
  client_identifier = 61,
  tftp_server_name = 66,
  bootfile_name = 67,
  domain_search = 119,         ///< RFC 3397
  classless_static_routes = 121, ///< RFC 3442
  end = 255,
};

/// The option's snake_case name ("domain_search"); "unknown" for codes not in the enum.
std::string_view to_string(option_code code);
/// Parses the names `to_string` gives.
std::optional<option_code> parse_option_code(std::string_view name);
/// Every named option code, for tests that walk the string table.
std::span<const option_code> all_option_codes();

/// The broadcast bit of the `flags` field (RFC 2131 figure 2).
inline constexpr std::uint16_t broadcast_flag = 0x8000;

/// One option: its code and its whole value (all RFC 3396 instances concatenated).
struct dhcp_option {
  std::uint8_t code = 0;
  std::vector<std::uint8_t> data;

  friend bool operator==(const dhcp_option&, const dhcp_option&) = default;
};

/// A DHCP message. Field names follow RFC 2131 so that the RFC can be read alongside.
struct dhcp_packet {
  bootp_op op = bootp_op::request;
  std::uint8_t htype = 1; ///< 1 = Ethernet
  std::uint8_t hlen = 6;  ///< length of the hardware address in chaddr, at most 16
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  ipv4_address ciaddr;
  ipv4_address yiaddr;
  ipv4_address siaddr;
  ipv4_address giaddr;
  std::array<std::uint8_t, 16> chaddr{};
  /// Server host name and boot file name. When the sender overloaded them with options
  /// (option 52), the parser moves those options into `options` and clears the fields.
  std::array<std::uint8_t, 64> sname{};
  std::array<std::uint8_t, 128> file{};
  /// Options in wire order of first appearance; never pad (0) or end (255).
  std::vector<dhcp_option> options;

  /// The option with this code, or null.
  const dhcp_option* find(std::uint8_t code) const;
  const dhcp_option* find(option_code code) const { return find(static_cast<std::uint8_t>(code)); }
  /// Sets (replaces or appends) an option.
  void set(option_code code, std::vector<std::uint8_t> data);
  /// Removes an option if present.
  void remove(option_code code);

  /// Option 53, if present and one byte long with a known value.
  std::optional<message_type> type() const;
  /// Option 50.
  std::optional<ipv4_address> requested_address() const;
  /// Option 54.
  std::optional<ipv4_address> server_identifier() const;
  /// Option 57, if present and two bytes long.
  std::optional<std::uint16_t> max_message_size() const;
  /// Option 55's codes; empty when absent.
  std::vector<std::uint8_t> parameter_request_list() const;
  /// The first six bytes of chaddr when htype/hlen say Ethernet.
  std::optional<mac_address> client_mac() const;
  /// True when the broadcast bit is set in `flags`.
  bool broadcast() const { return (flags & broadcast_flag) != 0; }

  friend bool operator==(const dhcp_packet&, const dhcp_packet&) = default;
};

/// Appends a host-order 32-bit value in network order (for lease times and addresses).
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v);
/// The four bytes of an address.
std::vector<std::uint8_t> address_bytes(const ipv4_address& a);

} // namespace podvisor::net::dhcp
