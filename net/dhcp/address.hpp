#pragma once
// The two address kinds DHCPv4 carries: IPv4 addresses and Ethernet MACs, as plain
// values in network byte order so that the codec copies them without conversions.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace podvisor::net::dhcp {

/// An IPv4 address, octets in network order (10.0.2.2 is {10, 0, 2, 2}).
struct ipv4_address {
  std::array<std::uint8_t, 4> octets{};

  /// The address as a host-order integer (10.0.2.2 → 0x0a000202), for masks and sums.
  std::uint32_t to_uint() const;
  /// The address with host-order value `v`.
  static ipv4_address from_uint(std::uint32_t v);
  /// True for 0.0.0.0, which DHCP uses for "no address".
  bool is_zero() const { return to_uint() == 0; }

  friend auto operator<=>(const ipv4_address&, const ipv4_address&) = default;
};

/// Dotted quad ("10.0.2.2").
std::string to_string(const ipv4_address& a);
/// Parses a dotted quad; nothing for anything else (no leading zeros rules beyond 0-255).
std::optional<ipv4_address> parse_ipv4(std::string_view text);
/// The netmask of a prefix length (24 → 255.255.255.0); prefix must be 0..32.
ipv4_address netmask(std::uint8_t prefix);

/// An Ethernet (EUI-48) address.
struct mac_address {
  std::array<std::uint8_t, 6> octets{};

  friend auto operator<=>(const mac_address&, const mac_address&) = default;
};

/// Lower-case colon form ("02:00:00:00:00:01").
std::string to_string(const mac_address& m);
/// Parses "aa:bb:cc:dd:ee:ff" (either case); nothing for anything else.
std::optional<mac_address> parse_mac(std::string_view text);

} // namespace podvisor::net::dhcp
