#pragma once
// Encoders and decoders for the options whose values have structure of their own:
// classless static routes (121, RFC 3442) and the domain search list (119, RFC 3397 with
// RFC 1035 name compression).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::net::dhcp {

/// One route as the guest should install it: destination/prefix via gateway (0.0.0.0 as
/// gateway means "on link").
struct route {
  ipv4_address destination;
  std::uint8_t prefix = 0;
  ipv4_address gateway;

  friend bool operator==(const route&, const route&) = default;
};

/// Option 121's value: per route the prefix length, the significant octets of the
/// destination (ceil(prefix / 8)) and the gateway. Host bits beyond the prefix are
/// cleared, as RFC 3442 requires of servers. A prefix above 32 is an invalid_argument.
expected<std::vector<std::uint8_t>> encode_classless_routes(const std::vector<route>& routes);

/// Decodes option 121's value; parse_error for a prefix above 32 or a truncated entry.
expected<std::vector<route>> decode_classless_routes(std::span<const std::uint8_t> data);

/// Option 119's value: each domain as DNS labels, suffixes already written replaced by a
/// compression pointer into the option's own value (RFC 3397 §2; offsets count from the
/// start of the whole, possibly split, value). A trailing dot is optional. Empty labels,
/// labels over 63 bytes or names over 255 bytes are invalid_argument. Suffixes are matched
/// case-insensitively, as DNS names compare.
expected<std::vector<std::uint8_t>> encode_domain_search(const std::vector<std::string>& domains);

/// Decodes option 119's value into domains without the trailing dot. Pointers must point
/// strictly backwards (so decoding always ends); names longer than 255 bytes, bad label
/// types and truncation are parse_error.
expected<std::vector<std::string>> decode_domain_search(std::span<const std::uint8_t> data);

} // namespace podvisor::net::dhcp
