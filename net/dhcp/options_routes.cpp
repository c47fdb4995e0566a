#include "net/dhcp/options.hpp"

namespace podvisor::net::dhcp {

expected<std::vector<std::uint8_t>> encode_classless_routes(const std::vector<route>& routes) {
  std::vector<std::uint8_t> out;
  for (const auto& r : routes) {
    if (r.prefix > 32)
      return error{errc::invalid_argument, "route " + to_string(r.destination) + "/" +
                                               std::to_string(r.prefix) + ": prefix above 32"};
    auto dest = ipv4_address::from_uint(r.destination.to_uint() & netmask(r.prefix).to_uint());
    std::size_t significant = (r.prefix + 7u) / 8u;
    out.push_back(r.prefix);
    out.insert(out.end(), dest.octets.begin(), dest.octets.begin() + static_cast<std::ptrdiff_t>(significant));
    out.insert(out.end(), r.gateway.octets.begin(), r.gateway.octets.end());
  }
  return out;
}

expected<std::vector<route>> decode_classless_routes(std::span<const std::uint8_t> data) {
  std::vector<route> out;
  std::size_t i = 0;
  while (i < data.size()) {
    std::uint8_t prefix = data[i];
    if (prefix > 32)
      return error{errc::parse_error, "classless route at byte " + std::to_string(i) + ": prefix " +
                                          std::to_string(prefix) + " above 32"};
    std::size_t significant = (prefix + 7u) / 8u;
    if (i + 1 + significant + 4 > data.size())
      return error{errc::parse_error, "classless route at byte " + std::to_string(i) + ": truncated"};
    route r;
    r.prefix = prefix;
    for (std::size_t k = 0; k < significant; ++k)
      r.destination.octets[k] = data[i + 1 + k];
    // Clients mask the destination; do the same so that decode(encode(x)) is canonical.
    r.destination = ipv4_address::from_uint(r.destination.to_uint() & netmask(prefix).to_uint());
    for (std::size_t k = 0; k < 4; ++k)
      r.gateway.octets[k] = data[i + 1 + significant + k];
    out.push_back(r);
    i += 1 + significant + 4;
  }
  return out;
}

} // namespace podvisor::net::dhcp
