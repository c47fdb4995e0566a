#pragma once
// Per-namespace sysctls under /proc/sys/net. Which namespace a /proc/sys/net file
// belongs to is decided by the thread that opens it, so call these on a thread inside
// the target namespace (netns.hpp).

#include <string>

#include "common/error.hpp"

namespace podvisor::net::binding {

/// The value of `name` ("net/ipv4/ip_forward"), trailing newline removed.
expected<std::string> read_sysctl(const std::string& name);
/// Writes `value` to `name`.
error write_sysctl(const std::string& name, const std::string& value);

} // namespace podvisor::net::binding
