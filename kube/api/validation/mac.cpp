#include "kube/api/validation/mac.hpp"

namespace podvisor::kube::api {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

std::optional<mac_octets> parse_mac(std::string_view text) {
  // 6 pairs + 5 separators.
  if (text.size() != 17)
    return std::nullopt;
  char sep = text[2];
  if (sep != ':' && sep != '-')
    return std::nullopt;
  mac_octets out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::size_t at = i * 3;
    int hi = hex_value(text[at]);
    int lo = hex_value(text[at + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    if (i + 1 < out.size() && text[at + 2] != sep)
      return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return out;
}

void validate_mac_address(std::string_view value, const field_path& path, field_errors& errors) {
  if (value.empty())
    return;
  auto mac = parse_mac(value);
  if (!mac) {
    errors.push_back(field_invalid(path, quote(value),
                                   "must be a MAC address of six hexadecimal pairs separated by "
                                   "':' or '-' (e.g. '02:00:00:00:00:01')"));
    return;
  }
  bool all_zero = true;
  for (auto octet : *mac)
    all_zero = all_zero && octet == 0;
  if (all_zero) {
    errors.push_back(field_invalid(path, quote(value), "must not be the all-zero address"));
    return;
  }
  // The I/G bit: set means a multicast (group) address, which a NIC cannot own.
  if (((*mac)[0] & 0x01) != 0)
    errors.push_back(field_invalid(path, quote(value),
                                   "must be a unicast address (the least significant bit of the "
                                   "first octet must be 0)"));
}

} // namespace podvisor::kube::api
