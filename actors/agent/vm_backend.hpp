#pragma once
// The seam between a VM's supervisor (an actor) and everything blocking it does on the
// node: the launcher's control channel (virt/channel's launcher_client) and phase 1 of
// the pod network (net/binding). Plain C++, no CAF. The supervisor never calls these on
// a scheduler thread: it posts them to its own executor (a detached actor per VM) and
// gets the answers back as messages. Tests use a fake (tests/actors/agent).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/agent/vm_snapshot.hpp"
#include "common/error.hpp"

namespace podvisor::actors::agent {

/// The launcher's hello.
struct backend_hello {
  int pid = 0;
  bool awaiting_start = true;
};

/// A lease the launcher's DHCP responder gave.
struct backend_lease {
  std::string interface, mac, ip;
};

/// The launcher's status answer, as far as the agent uses it.
struct backend_status {
  std::string phase, reason;
  std::vector<backend_lease> leases;
  /// For introspection: libvirt's domain state and the domain's statistics (0: unknown).
  std::string domain_state;
  int qemu_pid = 0;
  std::uint64_t cpu_time_ns = 0, memory_kib = 0;
  std::uint32_t vcpus = 0;
  std::vector<interface_counters> interfaces;
  std::vector<block_counters> blocks;
};

/// One event of the watch stream.
struct backend_event {
  enum class kind { phase, lease } what = kind::phase;
  std::string phase, reason;
  backend_lease lease;
};

/// Phase 1 for one VMI interface on the pod network.
struct interface_plan {
  std::string name;
  /// "masquerade" or "bridge".
  std::string binding;
  /// The interface's macAddress ("" → the binding's default).
  std::string mac;
  /// Masquerade: the forwarded ports as "tcp:80" / "udp:53" (empty: all).
  std::vector<std::string> ports;
  /// Masquerade: the pod network's vmNetworkCIDR ("" → 10.0.2.0/24).
  std::string vm_network_cidr;
  /// Option 12 for the guest.
  std::string hostname;
  /// Where the cached result goes: AGENT_DIR/<uid>/net-<name>.json.
  std::filesystem::path state_path;
};

/// Called with each event of the watch stream, then once with an error when the stream
/// ends (errc::unavailable when the launcher closed it).
using event_sink = std::function<void(const expected<backend_event>&)>;

/// Blocking operations on one VM's launcher and pod network. Not thread-safe, except
/// that `watch` runs on a thread of its own beside the other calls, and `cancel` may be
/// called from any thread.
class vm_backend {
public:
  virtual ~vm_backend() = default;
  /// Connects the command connection and says hello, waiting up to `timeout` for the
  /// launcher to start serving (errc::unavailable when it did not).
  virtual expected<backend_hello> connect(std::chrono::milliseconds timeout) = 0;
  /// Phase 1 for every plan inside /proc/<pid>/ns/net; interface name → result file.
  virtual expected<std::map<std::string, std::string>> wire_network(int pid, const std::vector<interface_plan>& plans) = 0;
  /// start with the results; returns once the domain is started.
  virtual error start(const std::map<std::string, std::string>& networks) = 0;
  virtual expected<backend_status> status() = 0;
  virtual error shutdown(std::optional<std::int64_t> grace_seconds) = 0;
  /// Opens a second connection in watch mode and feeds `sink` until the stream ends or
  /// `cancel` is called (the real one blocks; a fake may keep the sink and return).
  virtual void watch(event_sink sink) = 0;
  /// Ends a running watch soon (from any thread).
  virtual void cancel() = 0;
  /// For introspection: what phase 1 wired for each interface, from the cached results
  /// in the VMI's directory (net-<name>.json); empty when none can be read. The default
  /// knows none.
  virtual std::vector<network_wiring> wiring() { return {}; }
};

/// Makes the backend of one VMI, given its directory AGENT_DIR/<uid> (control.sock is
/// inside).
using vm_backend_factory = std::function<std::shared_ptr<vm_backend>(const std::filesystem::path& vmi_dir)>;

} // namespace podvisor::actors::agent
