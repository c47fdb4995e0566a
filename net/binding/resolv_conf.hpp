#pragma once
// The pod's resolver configuration, as the guest should get it over DHCP: the IPv4
// name servers (option 6) and the search list (option 119), read from the resolv.conf
// that the container runtime wrote for the pod (resolv.conf(5) syntax).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "net/dhcp/address.hpp"

namespace podvisor::net::binding {

/// What resolv.conf says that DHCP can carry.
struct resolver_config {
  /// IPv4 `nameserver` entries in file order, duplicates dropped. IPv6 servers are
  /// skipped (DHCPv4 cannot carry them).
  std::vector<dhcp::ipv4_address> nameservers;
  /// The search list: the last `search` line wins (as in glibc); a `domain` line counts
  /// as a one-entry search list when it comes later. Trailing dots removed.
  std::vector<std::string> search;

  friend bool operator==(const resolver_config&, const resolver_config&) = default;
};

/// Parses resolv.conf text. Comments (`#`, `;`), unknown keywords and `options` are
/// ignored, as the resolver does; a `nameserver` that is not an address is skipped too.
resolver_config parse_resolv_conf(std::string_view text);

/// Reads and parses a file; not_found / io_error naming the path when it cannot be read.
expected<resolver_config> read_resolv_conf(const std::filesystem::path& path);

} // namespace podvisor::net::binding
