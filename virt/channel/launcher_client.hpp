#pragma once
// The node agent's end of a launcher's command channel (protocols/launcher_channel.hpp):
// one connection to the launcher's unix socket, blocking calls with poll-based deadlines,
// every answer parsed strictly. Plain C++, no CAF: the agent's actor calls it from a
// worker of its own.
//
//   connect ──► hello ──► status / start / shutdown / pause / resume ...
//                    └──► watch ──► next_event, next_event, ...  (the connection is now
//                                                                  an event stream)
//
// A request that times out leaves its answer in flight; the connection cannot tell it
// from the next answer, so it is unusable afterwards (errc::unavailable: reconnect).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace podvisor::virt::channel {

/// What the launcher said in the handshake.
struct launcher_hello {
  std::uint32_t version = 0;
  std::string server, domain;
  /// The launcher's own pid (in the agent's pid namespace when both share the host's):
  /// /proc/<pid>/ns/net is the pod's network namespace.
  int pid = 0;
  /// Whether it waits for start() (podvisor-launcher --await-start).
  bool awaiting_start = false;
};

/// A lease the launcher's DHCP responder ACKed.
struct launcher_lease {
  std::string interface, mac, ip;
  bool operator==(const launcher_lease&) const = default;
};

/// Counters of one guest network interface, named by the VMI.
struct launcher_interface_stats {
  std::string name;
  std::uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_drops = 0;
  std::uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_drops = 0;
};

/// Counters of one guest disk, named by the VMI.
struct launcher_block_stats {
  std::string name;
  std::uint64_t read_bytes = 0, read_requests = 0, write_bytes = 0, write_requests = 0;
};

/// libvirt's statistics of the domain.
struct launcher_stats {
  std::uint64_t cpu_time_ns = 0, memory_kib = 0;
  std::uint32_t vcpus = 0;
  int qemu_pid = 0;
  /// Empty from a launcher that predates them.
  std::vector<launcher_interface_stats> interfaces;
  std::vector<launcher_block_stats> blocks;
};

/// The status answer.
struct launcher_status_reply {
  /// vm_phase names: idle, starting, running, paused, shutting_down, succeeded, failed.
  std::string phase, reason, domain_state;
  std::int64_t since_start_ms = 0;
  std::optional<launcher_stats> stats;
  std::vector<launcher_lease> leases;
};

/// One event of a watch stream.
struct launcher_event {
  enum class kind { phase, lease } what = kind::phase;
  std::string phase, reason; ///< kind::phase
  launcher_lease lease;      ///< kind::lease
};

/// One connection; blocking; not thread-safe.
class launcher_client {
public:
  /// Deadline of every request but start.
  static constexpr std::chrono::seconds request_timeout{30};
  /// start answers once the domain runs.
  static constexpr std::chrono::minutes start_timeout{5};

  /// Connects and says hello: errc::unavailable (no socket, refused), errc::unsupported
  /// (no common protocol version), errc::timeout, or the launcher's error.
  static expected<std::unique_ptr<launcher_client>> connect(const std::filesystem::path& socket,
                                                            std::chrono::milliseconds timeout);
  /// connect(), retried while the launcher is not serving yet (errc::unavailable) for up
  /// to `patience`: the socket's directory is watched, so a launcher that starts serving
  /// within that window is reached within milliseconds rather than on a caller's retry
  /// tick. Each attempt has `timeout`. Returns the last attempt's error.
  static expected<std::unique_ptr<launcher_client>> connect_when_serving(const std::filesystem::path& socket,
                                                                         std::chrono::milliseconds patience,
                                                                         std::chrono::milliseconds timeout);
  ~launcher_client();
  launcher_client(const launcher_client&) = delete;
  launcher_client& operator=(const launcher_client&) = delete;

  const launcher_hello& hello() const { return hello_; }

  expected<launcher_status_reply> status();
  /// Starts a launcher that awaits start with these network results (VMI interface name →
  /// absolute path of the binding's state file); returns once the domain runs. conflict
  /// when it does not await start; invalid_argument for a bad result file.
  error start(const std::map<std::string, std::filesystem::path>& network_results);
  /// Powers the guest off (ACPI), destroyed after `grace` (default: the VMI's).
  error shutdown(std::optional<std::chrono::seconds> grace = std::nullopt);
  error pause();
  error resume();
  /// Turns this connection into an event stream: afterwards only next_event().
  error watch();
  /// The next event; nothing when `timeout` passes first; errc::unavailable when the
  /// launcher closed the connection.
  expected<std::optional<launcher_event>> next_event(std::chrono::milliseconds timeout);

  /// The socket, for callers that poll it themselves (readable: next_event has data).
  int fd() const { return fd_; }

private:
  launcher_client(int fd, std::string socket);
  expected<std::string> ask(const std::string& line, std::chrono::milliseconds timeout);
  error usable() const;
  error send_line(const std::string& line, std::chrono::steady_clock::time_point deadline);
  /// The next line; nothing at the deadline; unavailable at EOF.
  expected<std::optional<std::string>> read_line(std::chrono::steady_clock::time_point deadline);
  error fail(error e);

  int fd_ = -1;
  std::string socket_;
  std::string buf_;
  launcher_hello hello_;
  bool watching_ = false;
  std::optional<error> broken_;
};

} // namespace podvisor::virt::channel
