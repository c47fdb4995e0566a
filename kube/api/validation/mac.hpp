#pragma once
// MAC addresses as users write them in `interfaces[].macAddress`: six hexadecimal pairs
// separated consistently by ':' or '-'. A guest NIC needs a unicast address (the
// least-significant bit of the first octet clear) that is not all zeros.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "kube/api/field_error.hpp"
#include "kube/api/validation/field_path.hpp"

namespace podvisor::kube::api {

/// Six octets of an EUI-48 address.
using mac_octets = std::array<std::uint8_t, 6>;

/// Parses `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff` (either case, one separator kind
/// throughout); nothing for any other shape.
std::optional<mac_octets> parse_mac(std::string_view text);

/// Validates a MAC address at `path`: well-formed, unicast, not all zeros. An empty value
/// is not checked (the field is optional).
void validate_mac_address(std::string_view value, const field_path& path, field_errors& errors);

} // namespace podvisor::kube::api
