#pragma once
// A connection to one libvirt daemon, behind an interface so that the launcher's state
// handling is tested against a fake (tests/fakes/fake_libvirt_connection.hpp) and runs
// against a real daemon (libvirt_connection.hpp) unchanged.
//
// Contract shared by every implementation:
// - Errors are classified at this boundary into podvisor::errc (libvirt's virError never
//   escapes, and libvirt never prints an error itself); the message keeps libvirt's text.
// - Domain events arrive on the implementation's own thread (the real one runs libvirt's
//   event loop there); the callback must be cheap and thread-safe (post to an actor).
// - A lost connection is reported once through the connection_lost callback; reconnect()
//   re-opens it and re-registers the event callbacks.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace podvisor::virt {

/// virDomainState, the domain's state as libvirt reports it.
enum class domain_state : std::uint8_t {
  no_state,
  running,
  blocked,
  paused,
  shutting_down,
  shut_off,
  crashed,
  pm_suspended,
};

/// "running", "shut_off", ...
std::string_view to_string(domain_state s);

/// The state with libvirt's reason for it, in words ("shut_off: shutdown", "shut_off:
/// crashed", "running: booted").
struct domain_status {
  domain_state state = domain_state::no_state;
  std::string reason;
};

/// A lifecycle event (virConnectDomainEventLifecycle) or a job event, decoded.
struct domain_event {
  enum class kind : std::uint8_t {
    defined,
    undefined,
    started,
    suspended,
    resumed,
    stopped,
    shutdown,
    pm_suspended,
    crashed,
    job_completed, ///< VIR_DOMAIN_EVENT_ID_JOB_COMPLETED
  };
  kind what = kind::started;
  std::string domain;  ///< domain name
  std::string detail;  ///< libvirt's detail in words: "booted", "destroyed", "failed", "crashed", "shutdown", "migrated", ...
  /// For stopped: true when the guest went away on its own terms (guest poweroff,
  /// "shutdown" detail); false when it was destroyed, crashed or QEMU died ("failed").
  bool graceful = false;
};

std::string_view to_string(domain_event::kind k);

/// Counters of one network interface of a running domain (libvirt's "net.<i>.*"), from
/// the guest's side: rx is what the guest received (its tap's tx; seen in
/// integration.launcher.network), as KubeVirt's metrics report them.
struct interface_stats {
  /// libvirt's name of the device (its target: the tap) as stats() reports it; the VMI
  /// interface's name once name_devices() knew it.
  std::string name;
  std::uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_drops = 0;
  std::uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_drops = 0;
  bool operator==(const interface_stats&) const = default;
};

/// Counters of one disk of a running domain (libvirt's "block.<i>.*").
struct block_stats {
  /// libvirt's name of the disk (its target: "vda") as stats() reports it; the VMI disk's
  /// name once name_devices() knew it.
  std::string name;
  std::uint64_t read_bytes = 0, read_requests = 0, write_bytes = 0, write_requests = 0;
  bool operator==(const block_stats&) const = default;
};

/// Basic statistics of a running domain.
struct domain_stats {
  std::uint64_t cpu_time_ns = 0;
  std::uint64_t memory_kib = 0;
  std::uint32_t vcpus = 0;
  std::int64_t qemu_pid = 0; ///< 0 when unknown
  /// Per device; empty while the domain is not running.
  std::vector<interface_stats> interfaces;
  std::vector<block_stats> blocks;
};

/// Which VMI device each libvirt device is, by libvirt's name for it. Whoever defined
/// the domain knows this from its own model (virt/converter's device_names_of), so
/// statistics need no round trip for the live XML.
struct device_names {
  std::map<std::string, std::string> interfaces; ///< target dev (the tap) → VMI interface name
  std::map<std::string, std::string> disks;      ///< target dev ("vda") → VMI disk name
  bool operator==(const device_names&) const = default;
};

/// Renames the devices of `stats` from libvirt's names to the VMI's; a device `names`
/// does not know keeps libvirt's name.
void name_devices(domain_stats& stats, const device_names& names);

/// Callbacks a connection delivers on its event thread.
struct connection_callbacks {
  std::function<void(const domain_event&)> on_domain_event;
  /// The daemon went away (closed socket, keepalive timeout). Reported once per loss.
  std::function<void(const error&)> on_connection_lost;
};

/// One open connection to a libvirt daemon.
class connection {
public:
  virtual ~connection() = default;

  /// Defines (or redefines) a persistent domain from XML. Returns the domain name.
  virtual expected<std::string> define_domain(const std::string& xml) = 0;
  /// Starts a defined domain (virDomainCreate).
  virtual error start_domain(const std::string& name) = 0;
  /// Asks the guest to power off (ACPI power button); returns at once.
  virtual error shutdown_domain(const std::string& name) = 0;
  /// Stops QEMU now (virDomainDestroy). not_found when no such domain; ok when it was
  /// already shut off.
  virtual error destroy_domain(const std::string& name) = 0;
  /// Removes the persistent definition (with its NVRAM); ok when already gone.
  virtual error undefine_domain(const std::string& name) = 0;
  virtual error suspend_domain(const std::string& name) = 0;
  virtual error resume_domain(const std::string& name) = 0;
  /// The current state and reason; not_found when no such domain.
  virtual expected<domain_status> status(const std::string& name) = 0;
  virtual expected<domain_stats> stats(const std::string& name) = 0;
  /// Names of all domains, defined and running.
  virtual expected<std::vector<std::string>> list_domains() = 0;
  /// Asks for the domain capabilities of the host's architecture, which makes the
  /// daemon load what its QEMU binary can do (from its cache, or by probing QEMU) now
  /// rather than at the first define (capabilities_probe.hpp says why).
  virtual error load_domain_capabilities() = 0;
  /// Whether the connection is open and the daemon answers (virConnectIsAlive).
  virtual bool alive() = 0;
  /// Re-opens a lost connection and re-registers the callbacks.
  virtual error reconnect() = 0;
};

} // namespace podvisor::virt
