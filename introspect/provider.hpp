#pragma once
// What the introspection server serves, supplied by whoever owns the data (the node
// agent's supervisors). The server only renders and streams; it keeps no state of its own.
//
// A supervisor snapshot, as `get`, `list` and `watch` return it (one JSON object; members
// the supervisor does not know yet are omitted or empty, never invented):
//
//   {
//     "namespace": "default", "name": "vm1", "uid": "…",       // the VMI
//     "node": "node-1",
//     "state": "Running",            // the supervisor's own state name
//     "since": "2026-11-28T15:04:05.123Z",   // RFC 3339 UTC with milliseconds
//     "phase": "Running",            // the VMI phase the agent last wrote
//     "reason": "",                  // why the state was entered (failures)
//     "timeline": [                  // every transition, oldest first
//       {"state": "WiringNetwork", "at": "2026-11-28T15:04:04.900Z",
//        "durationMs": 223,          // time spent in this state (until the next entry or,
//                                    //  for the last one, until the snapshot was taken)
//        "reason": ""}
//     ],
//     "children": [{"name": "launcher-watch", "restarts": 0, "mailbox": 0}],
//     "launcher": {"pid": 4242, "qemuPid": 4300, "domainState": "running",
//                  "socket": "/var/run/podvisor/vmis/<uid>/control.sock"},
//     "network": [{"interface": "default", "binding": "masquerade", "bridge": "k6t-eth0",
//                  "tap": "tap0", "mac": "52:54:00:…", "guestAddress": "10.0.2.2",
//                  "gateway": "10.0.2.1", "nftTable": "podvisor-nat"}],
//     "lease": [{"interface": "default", "mac": "52:54:00:…", "ip": "10.0.2.2",
//                "at": "2026-11-28T15:04:06.001Z"}],
//     "errors": [{"at": "2026-11-28T15:04:05.000Z", "message": "…"}]   // last few, oldest first
//   }
//
// Counts ("restarts", "mailbox", "pid", "qemuPid", "durationMs") are integers; 0 for a
// pid means "not running". Everything else is a string.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace podvisor::introspect {

/// A live watch: cancelled when destroyed (or reset). Move-only.
class subscription {
public:
  subscription() = default;
  /// `cancel` runs once, when the subscription ends; it must not return while the
  /// subscriber's callback is still running, and the callback must not be called after.
  explicit subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  subscription(subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, {})) {}
  subscription& operator=(subscription&& other) noexcept {
    if (this != &other) {
      reset();
      cancel_ = std::exchange(other.cancel_, {});
    }
    return *this;
  }
  subscription(const subscription&) = delete;
  subscription& operator=(const subscription&) = delete;
  ~subscription() { reset(); }

  /// Ends the watch now (idempotent).
  void reset() {
    if (auto c = std::exchange(cancel_, {}))
      c();
  }

private:
  std::function<void()> cancel_;
};

/// The data source. Every member may be called from any of the server's threads at
/// once, and must answer quickly (no blocking on an actor's reply for seconds).
class introspection_provider {
public:
  virtual ~introspection_provider() = default;

  /// The whole exposition text for /metrics (build it with prometheus_text:
  /// append_supervisor_metrics(out, list()) first, then the domain statistics).
  virtual std::string metrics_text() = 0;
  /// Every supervisor's snapshot (a JSON array, possibly empty).
  virtual nlohmann::json list() = 0;
  /// One supervisor's snapshot; nullopt when the node has no supervisor for it.
  virtual std::optional<nlohmann::json> get(std::string_view namespace_, std::string_view name) = 0;
  /// Follows one supervisor: `on_snapshot` gets the current snapshot first, then a new
  /// snapshot after each transition (or any other change worth showing), and finally a
  /// JSON null when the supervisor is gone (the stream then ends). It may be called from
  /// any thread and must not block (the server only queues). nullopt when the node has
  /// no supervisor for it.
  virtual std::optional<subscription> watch(std::string_view namespace_, std::string_view name,
                                            std::function<void(const nlohmann::json&)> on_snapshot) = 0;
  /// The VM's serial console log (a file that grows while the VM runs), served read-only
  /// as /v1/supervisors/{namespace}/{name}/console. not_found when the node has no
  /// supervisor for it, unavailable when there is no log to read yet. The default: none.
  virtual expected<std::filesystem::path> console_log(std::string_view namespace_, std::string_view name) {
    return error{errc::not_found, "no console for " + std::string(namespace_) + "/" + std::string(name)};
  }
};

} // namespace podvisor::introspect
