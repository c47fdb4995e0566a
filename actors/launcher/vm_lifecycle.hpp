#pragma once
// The launcher's decisions about its one domain, separate from the actor that feeds it
// (plain C++, no CAF) so that every path is unit tested against the fake connection.
//
//            start()                 "started" event
//   idle ─────────────► starting ────────────────────► running ◄──► paused
//    │ abandon() (no start │                              │   pause()/resume()
//    ▼  in time)           │                              │
//  failed                  │                              │
//                          │ define/start failed          │ request_shutdown()
//                          ▼                              ▼
//                        failed ◄── QEMU died ──── shutting_down ── grace_expired()
//                          ▲        (stopped, not          │          → destroy
//                          │         graceful)             │ stopped (any detail)
//                          │                               ▼
//                          └──── stopped unasked, ──── succeeded
//                                not graceful
//
// Outcomes (what the launcher exits with and the agent reports):
// - succeeded: the guest powered off (asked or on its own), or we destroyed it after the
//   grace period of a shutdown we asked for. Exit code 0.
// - failed: the domain was abandoned before start (no start from the node agent in
//   time, a preparation that failed), define or start failed, or QEMU went away
//   without being asked (crash, kill, "failed" detail). The reason names libvirt's
//   detail and the tail of QEMU's log. Exit code 1.

#include <functional>
#include <string>

#include "common/error.hpp"
#include "virt/libvirt/connection.hpp"

namespace podvisor::actors::launcher {

enum class vm_phase { idle, starting, running, paused, shutting_down, succeeded, failed };

std::string_view to_string(vm_phase p);

/// A change of phase, as reported to whoever watches the launcher.
struct phase_change {
  vm_phase phase = vm_phase::idle;
  std::string reason; ///< why, in words ("guest powered off", "QEMU exited: …")
};

class vm_lifecycle {
public:
  /// Reads the last lines of QEMU's log for failure reasons (empty when unknown).
  using log_reader = std::function<std::string()>;
  using reporter = std::function<void(const phase_change&)>;

  vm_lifecycle(virt::connection& conn, std::string domain_name, reporter report, log_reader qemu_log = {});

  /// Defines and starts the domain. Moves to starting; running comes with the "started"
  /// event (or at once if libvirt already reports the domain running). On failure the
  /// phase is failed and the error is returned.
  error start(const std::string& domain_xml);

  /// Gives up before the domain was started (idle → failed with `reason`): the node
  /// agent never said start, or the domain could not be prepared. No-op once started.
  void abandon(std::string reason);

  /// A libvirt event about any domain (events of other domains are ignored).
  void on_event(const virt::domain_event& ev);

  /// Asks the guest to power off (ACPI power button). The caller arms a timer for the
  /// grace period and calls grace_expired() when it fires. A shutdown before the domain
  /// runs destroys it at once. Idempotent.
  error request_shutdown();
  /// The grace period is over: destroys the domain if it has not stopped yet.
  void grace_expired();

  error pause();
  error resume();

  /// The connection to the daemon is gone; `daemon_alive` says whether the daemon process
  /// still runs (then the caller reconnects and calls resync()), otherwise the VM is lost.
  void on_connection_lost(const error& why, bool daemon_alive);
  /// After a reconnect: reads the domain's state and catches up on missed events.
  void resync();

  vm_phase phase() const { return phase_; }
  bool finished() const { return phase_ == vm_phase::succeeded || phase_ == vm_phase::failed; }
  const std::string& reason() const { return reason_; }
  /// 0 for succeeded, 1 for failed, -1 while not finished.
  int exit_code() const;
  const std::string& domain_name() const { return name_; }

private:
  void move_to(vm_phase p, std::string reason);
  void stopped(const virt::domain_event& ev);
  std::string with_qemu_log(std::string reason) const;

  virt::connection& conn_;
  std::string name_;
  reporter report_;
  log_reader qemu_log_;
  vm_phase phase_ = vm_phase::idle;
  std::string reason_;
  bool shutdown_requested_ = false;
  bool destroyed_by_us_ = false;
};

} // namespace podvisor::actors::launcher
