#pragma once
// The cached result on disk: `binding_state` as JSON, written atomically (temporary
// file, rename) so a reader never sees half a file, and read back strictly —
// unknown members, wrong types, bad addresses or a newer format version are errors
// naming the field ("guest.routes[1].gateway: not an IPv4 address: \"10.0.0\"").
//
//   {"version": 1, "kind": "bridge", "podInterface": "eth0", "complete": true,
//    "guest": {"mac": "..", "address": "10.244.1.5", "prefix": 24, "gateway": "10.244.1.1",
//              "routes": [{"destination": "10.96.0.0", "prefix": 12, "gateway": ".."}],
//              "dnsServers": [".."], "searchDomains": [".."], "mtu": 1500, "hostname": "",
//              "tap": "tap0", "bridge": "k6t-eth0", "serverAddress": "169.254.75.10"},
//    "changes": {"createdLinks": [..], "nic": {..}, "bridgeAddress": {..}, "bridgeMac": "..",
//                "nftTable": "",
//                "sysctls": [{"name": "net/ipv4/conf/all/arp_ignore", "before": "0"}]}}

#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "net/binding/binding_state.hpp"

namespace podvisor::net::binding {

/// The format version written; readers refuse other versions.
inline constexpr int state_format_version = 1;

/// The JSON text of `state` (indented, ends with a newline).
std::string encode_state(const binding_state& state);

/// Parses and validates JSON text; parse_error naming the field on any problem.
expected<binding_state> decode_state(std::string_view text);

/// Writes `state` to `path` atomically (`path`.tmp, then rename); io_error naming the
/// path on failure. Not fsynced: the namespace it describes does not outlive a reboot.
error write_state(const std::filesystem::path& path, const binding_state& state);

/// Reads `path`: not_found if it does not exist, io_error if unreadable, parse_error
/// (with the path and field) if invalid.
expected<binding_state> read_state(const std::filesystem::path& path);

/// What the launcher reads: like `read_state`, and `unavailable` while phase 1 has not
/// completed (the agent is still wiring, or died half way and will re-run).
expected<binding_state> read_complete_state(const std::filesystem::path& path);

} // namespace podvisor::net::binding
