#pragma once
// The launcher actor: owns one VM's domain for its whole life inside the pod. It feeds
// libvirt's events and the operator's commands (SIGTERM, the agent's command channel)
// into vm_lifecycle, runs the grace-period timer, rotates the serial console log, and
// notices a lost daemon connection (reconnecting while the daemon lives). With
// --await-start it defines nothing until the node agent's start (settings.await_start),
// and it keeps the DHCP leases for status and watchers.
//
// CAF stays out of this header: callers hold a `launcher_ref`, whose members send
// messages (and block for replies where they return something). Every member may be
// called from any thread — libvirt's event thread, the signal thread, socket threads.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/launcher/vm_lifecycle.hpp"
#include "common/error.hpp"
#include "virt/libvirt/connection.hpp"

namespace podvisor::actors::launcher {

/// VMI interface name → the network binding's cached result (net/binding state file).
using network_results = std::map<std::string, std::filesystem::path>;

/// A lease the DHCP responder ACKed, under the VMI interface's name.
struct launcher_lease {
  std::string interface, mac, ip;
  bool operator==(const launcher_lease&) const = default;
};

/// A domain ready to define.
struct prepared_domain {
  std::string xml;
  /// Which VMI device each of its devices is: the statistics the launcher reports name
  /// devices by them.
  virt::device_names devices;
};

/// What the launcher actor needs besides the connection.
struct launcher_settings {
  std::string domain_name;
  /// The domain, when `prepare` is not set.
  prepared_domain domain;
  /// Makes the domain from the network results and starts what must run before the
  /// guest boots (the DHCP responders). Called on the actor's thread when the domain is
  /// started: at once, or on start() with --await-start. An error leaves nothing running.
  std::function<expected<prepared_domain>(const network_results&)> prepare;
  /// With a value (--await-start): the domain waits for start() this long, then the
  /// launcher fails with "the node agent did not start the VM within N s".
  std::optional<std::chrono::seconds> await_start;
  /// From the power button to destroy (VMI terminationGracePeriodSeconds).
  std::chrono::seconds grace_period{30};
  /// The serial console log QEMU appends to, rotated above max bytes; empty: none.
  std::filesystem::path serial_log;
  std::uint64_t serial_log_max_bytes = 8u << 20;
  int serial_log_keep = 2;
  /// The last lines of QEMU's own log, for failure reasons.
  std::function<std::string()> qemu_log_tail;
  /// Whether the private libvirt daemon still runs.
  std::function<bool()> daemon_alive;
  /// How often the log is checked for rotation and a lost connection retried.
  std::chrono::milliseconds tick{1000};
};

/// The launcher's state as an operator or the agent sees it.
struct launcher_status {
  vm_phase phase = vm_phase::idle;
  std::string reason;
  std::string domain_state; ///< libvirt's state and reason, "" when unknown
  std::optional<virt::domain_stats> stats;
  std::chrono::milliseconds since_start{0};
  /// The leases the DHCP responders ACKed, the latest per interface.
  std::vector<launcher_lease> leases;
};

/// How the launcher ended.
struct launcher_outcome {
  int exit_code = 1;
  vm_phase phase = vm_phase::failed;
  std::string reason;
};

/// A handle to a running launcher actor.
class launcher_ref {
public:
  /// How long start() waits for the domain to run (QEMU under TCG can be slow).
  static constexpr std::chrono::minutes start_timeout{5};

  /// Starts a launcher that awaits start: prepares the domain with `networks` and starts
  /// it; returns once the domain runs, or the error. conflict when the launcher does not
  /// await start (any more); the preparation's error (nothing started, still awaiting);
  /// the start's failure (the launcher then ends failed).
  error start(const network_results& networks) const;
  /// Whether the launcher still waits for start().
  bool awaiting_start() const;
  /// The DHCP responder ACKed `lease` (from any thread): kept for status, told watchers.
  void lease_given(const launcher_lease& lease) const;
  /// Presses the power button and destroys after `grace` (default: the settings' grace
  /// period). Repeated requests are harmless.
  void shutdown(std::optional<std::chrono::seconds> grace = std::nullopt) const;
  /// Pauses / resumes the guest (conflict when it is not running / paused).
  error pause() const;
  error resume() const;
  /// The current state with libvirt's statistics.
  expected<launcher_status> status() const;
  /// Feeds a libvirt event (from the connection's callback).
  void domain_event(const virt::domain_event& ev) const;
  /// Reports that the connection to the daemon was lost.
  void connection_lost(const error& why) const;
  /// Calls `fn` for every phase change from now on (on the actor's thread). Returns an id
  /// for unsubscribe.
  int subscribe(std::function<void(const phase_change&)> fn) const;
  /// Calls `fn` for every lease ACKed from now on (on the actor's thread, renewals too).
  int subscribe_leases(std::function<void(const launcher_lease&)> fn) const;
  /// Ends a subscription of either kind.
  void unsubscribe(int id) const;
  /// Blocks until the VM has finished (succeeded or failed) and the actor has stopped.
  launcher_outcome wait() const;
  /// Like wait(), with a deadline; nothing when it has not finished by then.
  std::optional<launcher_outcome> wait_for(std::chrono::milliseconds timeout) const;

  struct shared;

private:
  friend launcher_ref start_launcher(caf::actor_system&, virt::connection&, launcher_settings);
  std::shared_ptr<shared> shared_;
};

/// Spawns the launcher actor for `conn`'s domain and starts it (define, start), or with
/// settings.await_start waits for start(). The connection must outlive the actor (until
/// wait() returns).
launcher_ref start_launcher(caf::actor_system& sys, virt::connection& conn, launcher_settings settings);

} // namespace podvisor::actors::launcher
