#pragma once
// The command channel between the node agent and a launcher: newline-delimited JSON over
// a unix socket in a directory the agent shares with the launcher's pod (never a network
// port; the socket is 0600, root only). Plain C++: the launcher and the agent both speak
// it without CAF on the wire.
//
// A session starts with a handshake that states the protocol versions each side speaks;
// the launcher picks the highest common one or refuses. The answer carries the launcher's
// pid (the agent enters the pod's network namespace through /proc/<pid>/ns/net) and
// whether it waits for `start` (podvisor-launcher --await-start):
//
//   → {"op":"hello","versions":[1]}
//   ← {"ok":true,"version":1,"server":"podvisor-launcher 0.1.0","domain":"default_testvmi",
//      "pid":4711,"awaitingStart":true}
//
// then requests, each answered by one line:
//
//   → {"op":"start","networks":{"default":"/abs/net-default.json"}}   (networks optional)
//                                         ← {"ok":true} once the domain runs, or an error:
//                                           conflict (not awaiting / already started),
//                                           invalid_argument (bad result file, unknown
//                                           interface), or why the start failed
//   → {"op":"status"}                     ← {"ok":true,"phase":"running","reason":"…",
//                                             "domainState":"running: booted",
//                                             "stats":{"cpuTimeNs":…,"memoryKiB":…,
//                                                      "vcpus":1,"qemuPid":…,
//                                               "interfaces":[{"name":"default",
//                                                 "rxBytes":…,"rxPackets":…,"rxErrors":…,
//                                                 "rxDrops":…,"txBytes":…,"txPackets":…,
//                                                 "txErrors":…,"txDrops":…}],
//                                               "blocks":[{"name":"rootdisk",
//                                                 "readBytes":…,"readRequests":…,
//                                                 "writeBytes":…,"writeRequests":…}]},
//                                             "sinceStartMs":…,
//                                             "leases":[{"interface":"default",
//                                               "mac":"52:54:00:…","ip":"10.0.2.2"}]}
//   → {"op":"shutdown","graceSeconds":30} ← {"ok":true}   (graceSeconds optional)
//   → {"op":"pause"} / {"op":"resume"}    ← {"ok":true} or
//                                           {"ok":false,"error":{"code":"conflict","message":"…"}}
//   → {"op":"watch"}                      ← {"ok":true}, then one line per phase change
//                                           and per DHCP ACK (renewals too):
//                                           {"event":"phase","phase":"…","reason":"…"}
//                                           {"event":"lease","interface":"default",
//                                            "mac":"…","ip":"…"}
//
// Phases are the launcher's vm_phase names: idle, starting, running, paused,
// shutting_down, succeeded, failed. After succeeded or failed the launcher exits.
//
// Parsing is strict (unknown op, wrong types, extra requests before hello, lines over
// max_line_bytes are errors answered with code invalid_argument) and never throws. The
// answers and events have parsers too, as strict, for the agent's client
// (virt/channel/launcher_client.hpp); they return parse_error for a malformed line and
// the carried error for an {"ok":false,…} line. Fields they do not know are ignored, so
// that version 1 can grow additively as it did with start, pid and leases; every field
// they know must be there with its type, except the later additions a launcher of the
// same version may not send yet: "interfaces" and "blocks" of "stats" (per-device
// counters named by the VMI's interface and disk names) are empty when absent, and
// strictly typed when present.

#include <cstdint>
#include <map>
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
/// Longest answer or event line a client accepts (reasons quote QEMU's log).
inline constexpr std::size_t launcher_channel_max_answer_bytes = 1024 * 1024;
/// Longest grace period a shutdown may ask for (a day).
inline constexpr std::int64_t launcher_channel_max_grace_s = 86400;
/// Most networks one start may name (a VMI has a handful of interfaces).
inline constexpr std::size_t launcher_channel_max_networks = 64;
/// Longest interface name (a DNS label) and result file path a start may name.
inline constexpr std::size_t launcher_channel_max_interface_name = 63;
inline constexpr std::size_t launcher_channel_max_path = 4096;

enum class launcher_op { hello, status, shutdown, pause, resume, watch, start };

std::string_view to_string(launcher_op op);

/// One parsed request.
struct launcher_request {
  launcher_op op = launcher_op::status;
  std::vector<std::uint32_t> versions;     ///< hello
  std::optional<std::int64_t> grace_seconds; ///< shutdown
  /// start: VMI interface name → absolute path of its network binding result.
  std::map<std::string, std::string> networks;
};

/// Parses one request line (without the newline).
expected<launcher_request> parse_launcher_request(std::string_view line);
/// The request as a line (without the newline), for clients.
std::string render_launcher_request(const launcher_request& r);

/// The highest version both sides speak; nothing when there is none.
std::optional<std::uint32_t> pick_launcher_channel_version(const std::vector<std::uint32_t>& offered);

/// {"ok":false,"error":{"code":…,"message":…}}
std::string render_launcher_error(const error& e);
/// {"ok":true}
std::string render_launcher_ok();

/// The hello answer.
struct launcher_hello_answer {
  std::uint32_t version = 0;
  std::string server, domain;
  std::int64_t pid = 0;
  bool awaiting_start = false;
};

/// A lease the launcher's DHCP responder ACKed.
struct launcher_lease_info {
  std::string interface; ///< the VMI interface name
  std::string mac, ip;
};

/// Counters of one guest network interface (as libvirt reports them).
struct launcher_interface_stats {
  std::string name; ///< the VMI interface name (libvirt's device name when it has none)
  std::uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_drops = 0;
  std::uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_drops = 0;
  bool operator==(const launcher_interface_stats&) const = default;
};

/// Counters of one guest disk.
struct launcher_block_stats {
  std::string name; ///< the VMI disk name (the target, "vda", when it has none)
  std::uint64_t read_bytes = 0, read_requests = 0, write_bytes = 0, write_requests = 0;
  bool operator==(const launcher_block_stats&) const = default;
};

/// Most interfaces or disks a status answer may list (a VMI has a handful).
inline constexpr std::size_t launcher_channel_max_devices = 256;

/// libvirt's statistics in a status answer.
struct launcher_stats_info {
  std::uint64_t cpu_time_ns = 0, memory_kib = 0;
  std::uint32_t vcpus = 0;
  std::int64_t qemu_pid = 0;
  std::vector<launcher_interface_stats> interfaces; ///< empty from a launcher that predates them
  std::vector<launcher_block_stats> blocks;         ///< likewise
};

/// The status answer.
struct launcher_status_answer {
  std::string phase, reason, domain_state;
  std::int64_t since_start_ms = 0;
  std::optional<launcher_stats_info> stats;
  std::vector<launcher_lease_info> leases;
};

/// One line of a watch stream.
struct launcher_event_line {
  enum class kind { phase, lease };
  kind what = kind::phase;
  std::string phase, reason;  ///< phase
  launcher_lease_info lease;  ///< lease
};

std::string render_launcher_hello(const launcher_hello_answer& a);
std::string render_launcher_status(const launcher_status_answer& a);
std::string render_launcher_event(const launcher_event_line& e);

/// Parses an answer that carries nothing but success: {"ok":true}, or the error of an
/// {"ok":false,…} line (parse_error for anything else).
error parse_launcher_ack(std::string_view line);
expected<launcher_hello_answer> parse_launcher_hello(std::string_view line);
expected<launcher_status_answer> parse_launcher_status(std::string_view line);
expected<launcher_event_line> parse_launcher_event(std::string_view line);

} // namespace podvisor::protocols
