#include "net/dhcp/address.hpp"

#include <charconv>
#include <cstdio>

namespace podvisor::net::dhcp {

std::uint32_t ipv4_address::to_uint() const {
  return (std::uint32_t{octets[0]} << 24) | (std::uint32_t{octets[1]} << 16) |
         (std::uint32_t{octets[2]} << 8) | std::uint32_t{octets[3]};
}

ipv4_address ipv4_address::from_uint(std::uint32_t v) {
  return ipv4_address{{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                       static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}};
}

std::string to_string(const ipv4_address& a) {
  std::string out;
  for (std::size_t i = 0; i < a.octets.size(); ++i) {
    if (i != 0)
      out += '.';
    out += std::to_string(a.octets[i]);
  }
  return out;
}

std::optional<ipv4_address> parse_ipv4(std::string_view text) {
  ipv4_address out;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (std::size_t i = 0; i < 4; ++i) {
    if (i != 0) {
      if (p == end || *p != '.')
        return std::nullopt;
      ++p;
    }
    // from_chars accepts no sign and no spaces, which is what a dotted quad allows.
    unsigned value = 0;
    auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc{} || next == p || next - p > 3 || value > 255)
      return std::nullopt;
    out.octets[i] = static_cast<std::uint8_t>(value);
    p = next;
  }
  if (p != end)
    return std::nullopt;
  return out;
}

ipv4_address netmask(std::uint8_t prefix) {
  if (prefix == 0)
    return {};
  if (prefix >= 32)
    return ipv4_address::from_uint(0xffffffffu);
  return ipv4_address::from_uint(~((std::uint32_t{1} << (32 - prefix)) - 1));
}

std::string to_string(const mac_address& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m.octets[0], m.octets[1],
                m.octets[2], m.octets[3], m.octets[4], m.octets[5]);
  return buf;
}

std::optional<mac_address> parse_mac(std::string_view text) {
  if (text.size() != 17)
    return std::nullopt;
  mac_address out;
  for (std::size_t i = 0; i < 6; ++i) {
    if (i != 0 && text[i * 3 - 1] != ':')
      return std::nullopt;
    unsigned value = 0;
    const char* first = text.data() + i * 3;
    auto [next, ec] = std::from_chars(first, first + 2, value, 16);
    if (ec != std::errc{} || next != first + 2)
      return std::nullopt;
    out.octets[i] = static_cast<std::uint8_t>(value);
  }
  return out;
}

} // namespace podvisor::net::dhcp
