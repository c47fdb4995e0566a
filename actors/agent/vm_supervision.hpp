#pragma once
// The decisions of one VM's supervisor (plain C++, no CAF): what the node agent does
// with a VMI from the moment it is Scheduled on this node until it is finished. The
// vm_supervisor actor (vm_supervisor.hpp) feeds it inputs — answers of the blocking
// calls it ran elsewhere, launcher events, the VMI's deletion, expired waits — and
// carries out the actions it returns, in order.
//
//   Scheduled (spawned)
//       │ connect (retried every second until the socket answers)        wait: launcher
//       ▼
//  ┌──────────────────┐ hello awaitingStart=false (re-adoption) ─────────────────────┐
//  │ AWAITING_LAUNCHER│                                                               │
//  └──────────────────┘ hello awaitingStart=true: watch, wire the pod network         │
//       │                                                                wait: start  │
//       ▼                                                                             │
//  ┌──────────────────┐ network_wired: send start                                     │
//  │  WIRING_NETWORK  │──────────────────────┐                                        │
//  └──────────────────┘                      ▼                                        │
//                                   ┌──────────────────┐ start ok: query status       │
//                                   │     STARTING     │─────────────┐ wait: boot     │
//                                   └──────────────────┘             ▼                ▼
//                                                           ┌──────────────────┐ status, watch
//                                                           │     BOOTING      │◄─────┘
//                                                           └──────────────────┘
//                                          launcher phase running │ write Running
//                                                                 ▼
//                                                        ┌──────────────────┐ lease: write
//                                                        │     RUNNING      │ interfaces
//                                                        └──────────────────┘
//            VMI deleted (any stage after the launcher answered) │ send shutdown(grace)
//                                                                 ▼        wait: grace + slack
//                                                        ┌──────────────────┐
//                                                        │  SHUTTING_DOWN   │
//                                                        └──────────────────┘
//      launcher phase succeeded → Succeeded; failed → Failed (its reason) │
//      from any stage: watch lost, an expired wait, a failed step → Failed  ▼
//                                                        ┌──────────────────┐
//                                                        │     FINISHED     │ (the actor quits)
//                                                        └──────────────────┘
//
// Every wait has a timeout and every failure a CamelCase reason and a message, which
// become the VMI's status.reason, its Ready condition and a Warning Event. The phase
// never moves backwards (Running is written once the launcher reports running; a final
// phase ends everything). A VMI deleted before its launcher answered is left to the
// controller: nothing started here could be shut down, and the supervisor just stops.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.hpp"

namespace podvisor::actors::agent {

/// Where a supervised VM is in its life (the diagram above).
enum class vm_stage { awaiting_launcher, wiring_network, starting, booting, running, shutting_down, finished };

std::string_view to_string(vm_stage s);

/// How long each wait may take.
struct supervision_timeouts {
  /// Until the launcher's socket answers hello (the launcher pod may still be starting).
  std::chrono::seconds launcher{300};
  /// The same when re-adopting a VMI that was already Running: its launcher must be
  /// there, so a missing one fails the VMI quickly.
  std::chrono::seconds readopt{30};
  /// From hello to the launcher's answer to start (network wiring included).
  std::chrono::seconds start{300};
  /// From the start answer (or re-adoption) until the launcher reports running.
  std::chrono::seconds boot{300};
  /// Beyond the grace period, until the launcher reports a final phase after shutdown.
  std::chrono::seconds shutdown_slack{30};
};

// -- inputs -------------------------------------------------------------------------------

/// The launcher answered hello.
struct launcher_connected {
  int pid = 0;
  bool awaiting_start = true;
};
/// Connecting failed (no socket yet, refused, timeout): try again later.
struct launcher_unreachable {
  error reason;
};
/// Phase 1 finished; interface name → cached result file.
struct network_wired {
  std::map<std::string, std::string> results;
};
struct network_failed {
  error reason;
};
/// The answer to start (ok or why not).
struct start_answered {
  error result;
};
/// The launcher's phase (vm_phase names: idle, starting, running, paused, shutting_down,
/// succeeded, failed), from the watch stream or a status answer.
struct launcher_phase_seen {
  std::string phase;
  std::string reason;
};
/// A DHCP lease the launcher's responder gave (also renewals).
struct lease_seen {
  std::string interface, mac, ip;
};
/// The watch connection ended without the launcher reporting a final phase first.
struct watch_lost {
  error reason;
};
/// The VMI has a deletionTimestamp.
struct deletion_requested {
  std::optional<std::int64_t> grace_seconds;
};
/// The answer to shutdown.
struct shutdown_answered {
  error result;
};
/// A wait armed by arm_wait ended; stale ids are ignored.
struct wait_expired {
  std::uint64_t id = 0;
};

using supervision_input = std::variant<launcher_connected, launcher_unreachable, network_wired, network_failed,
                                       start_answered, launcher_phase_seen, lease_seen, watch_lost,
                                       deletion_requested, shutdown_answered, wait_expired>;

// -- actions ------------------------------------------------------------------------------

/// What the actor must do, in order.
struct supervision_action {
  enum class kind {
    connect,       ///< connect to the launcher now (blocking call elsewhere)
    connect_later, ///< connect again after the retry delay
    start_watch,   ///< open the watch connection and follow its events
    wire_network,  ///< phase 1 for every pod-network interface, in /proc/<pid>/ns/net
    send_start,    ///< start with the wired networks' results
    query_status,  ///< ask the launcher's status (phase, leases)
    send_shutdown, ///< shutdown with `grace_seconds`
    write_status,  ///< write the report (vm_supervision::report) to the VMI's status
    record_event,  ///< an Event: `event_type`, `reason`, `message`
    arm_wait,      ///< a timer of `delay` that comes back as wait_expired{wait_id}
    finish,        ///< nothing more to do: the supervisor stops
  };
  kind what = kind::connect;
  std::chrono::seconds delay{0};
  std::uint64_t wait_id = 0;
  std::optional<std::int64_t> grace_seconds;
  std::string event_type, reason, message;
};

/// "connect", "wait#1 300s", "event Warning LauncherLost: ...", for tests and logs.
std::string describe(const supervision_action& a);

/// What the VMI's status should say, as far as the agent owns it.
struct vm_report {
  /// "" (nothing to write yet), "Running", "Succeeded", "Failed".
  std::string phase;
  /// CamelCase reason and message of a failure.
  std::string reason, message;
  /// The leases seen, by interface name.
  struct lease {
    std::string mac, ip;
    bool operator==(const lease&) const = default;
  };
  std::map<std::string, lease> leases;
};

/// One VM's supervision state machine.
class vm_supervision {
public:
  /// `vmi_phase` is the VMI's phase when the supervisor starts ("Scheduled", or
  /// "Running" when re-adopting).
  explicit vm_supervision(supervision_timeouts timeouts = {}, std::string vmi_phase = "Scheduled");

  /// The first actions: connect and the launcher wait.
  std::vector<supervision_action> begin();
  /// What to do about `input`.
  std::vector<supervision_action> handle(const supervision_input& input);

  vm_stage stage() const { return stage_; }
  const vm_report& report() const { return report_; }
  /// The launcher's pid from hello (0 before).
  int launcher_pid() const { return pid_; }
  /// The wired networks' results (for start).
  const std::map<std::string, std::string>& network_results() const { return networks_; }
  /// True when the launcher was already running at hello (nothing was started here).
  bool adopted() const { return adopted_; }

private:
  using actions = std::vector<supervision_action>;

  actions on(const launcher_connected& in);
  actions on(const launcher_unreachable& in);
  actions on(const network_wired& in);
  actions on(const network_failed& in);
  actions on(const start_answered& in);
  actions on(const launcher_phase_seen& in);
  actions on(const lease_seen& in);
  actions on(const watch_lost& in);
  actions on(const deletion_requested& in);
  actions on(const shutdown_answered& in);
  actions on(const wait_expired& in);

  /// Moves to `s` and arms a new wait (0 s: no wait, stale ones are ignored).
  void enter(vm_stage s, std::chrono::seconds wait, actions& out);
  actions fail(std::string reason, std::string message);
  actions succeed();
  actions become_running();

  supervision_timeouts timeouts_;
  vm_stage stage_ = vm_stage::awaiting_launcher;
  std::string initial_phase_;
  vm_report report_;
  std::map<std::string, std::string> networks_;
  std::uint64_t wait_id_ = 0;
  std::chrono::seconds wait_length_{0};
  std::string last_connect_error_;
  int pid_ = 0;
  bool adopted_ = false;
  bool deletion_seen_ = false;
  std::optional<std::int64_t> pending_grace_;
};

} // namespace podvisor::actors::agent
