#pragma once
// The command channel between the node agent and a launcher: newline-delimited JSON over
// a unix socket in a directory the agent shares with the launcher's pod (never a network
// port; the socket is 0600, root only). Plain C++: the launcher and the agent both speak
// it without CAF on the wire.
//
// A session starts with a handshake that states the protocol versions each side speaks;
// the launcher picks the highest common one or refuses:
//
//   → {"op":"hello","versions":[1]}
//   ← {"ok":true,"version":1,"server":"podvisor-launcher 0.1.0","domain":"default_testvmi"}
//
// then requests, each answered by one line:
//
//   → {"op":"status"}                     ← {"ok":true,"phase":"running","reason":"…",
//                                             "domainState":"running: booted",
//                                             "stats":{"cpuTimeNs":…,"memoryKiB":…,
//                                                      "vcpus":1,"qemuPid":…},
//                                             "sinceStartMs":…}
//   → {"op":"shutdown","graceSeconds":30} ← {"ok":true}   (graceSeconds optional)
//   → {"op":"pause"} / {"op":"resume"}    ← {"ok":true} or
//                                           {"ok":false,"error":{"code":"conflict","message":"…"}}
//   → {"op":"watch"}                      ← {"ok":true}, then one line per phase change:
//                                           {"event":"phase","phase":"…","reason":"…"}
//
// Parsing is strict (unknown op, wrong types, extra requests before hello, lines over
// max_line_bytes are errors answered with code invalid_argument) and never throws.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace podvisor::protocols {

/// Protocol versions this build speaks, oldest first.
inline constexpr std::uint32_t launcher_channel_versions[] = {1};
/// Longest request line accepted (a request is tiny; anything longer is garbage).
inline constexpr std::size_t launcher_channel_max_line_bytes = 64 * 1024;
/// Longest grace period a shutdown may ask for (a day).
inline constexpr std::int64_t launcher_channel_max_grace_s = 86400;

enum class launcher_op { hello, status, shutdown, pause, resume, watch };

std::string_view to_string(launcher_op op);

/// One parsed request.
struct launcher_request {
  launcher_op op = launcher_op::status;
  std::vector<std::uint32_t> versions;     ///< hello
  std::optional<std::int64_t> grace_seconds; ///< shutdown
};

/// Parses one request line (without the newline).
expected<launcher_request> parse_launcher_request(std::string_view line);
/// The request as a line (without the newline), for clients.
std::string render_launcher_request(const launcher_request& r);

/// The highest version both sides speak; nothing when there is none.
std::optional<std::uint32_t> pick_launcher_channel_version(const std::vector<std::uint32_t>& offered);

/// {"ok":false,"error":{"code":…,"message":…}}
std::string render_launcher_error(const error& e);

} // namespace podvisor::protocols
