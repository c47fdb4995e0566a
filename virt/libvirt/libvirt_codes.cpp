#include "virt/libvirt/libvirt_codes.hpp"

#include <array>
#include <cstddef>
#include <utility>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

namespace podvisor::virt {

namespace {

/// The word for `i` in `words` (indexed by libvirt's enum value), "unknown" outside it.
template <std::size_t N>
std::string_view word(const std::array<std::string_view, N>& words, int i) {
  if (i < 0 || static_cast<std::size_t>(i) >= N)
    return "unknown";
  return words[static_cast<std::size_t>(i)];
}

// Detail words per lifecycle event, indexed by libvirt's detail enums (virDomainEvent*DetailType).
constexpr std::array<std::string_view, 4> defined_details{"added", "updated", "renamed", "from_snapshot"};
constexpr std::array<std::string_view, 2> undefined_details{"removed", "renamed"};
constexpr std::array<std::string_view, 5> started_details{"booted", "migrated", "restored", "from_snapshot",
                                                          "wakeup"};
constexpr std::array<std::string_view, 9> suspended_details{
    "paused", "migrated", "ioerror", "watchdog", "restored", "from_snapshot", "api_error", "postcopy",
    "postcopy_failed"};
constexpr std::array<std::string_view, 5> resumed_details{"unpaused", "migrated", "from_snapshot", "postcopy",
                                                          "postcopy_failed"};
constexpr std::array<std::string_view, 7> stopped_details{"shutdown", "destroyed", "crashed", "migrated",
                                                          "saved", "failed", "from_snapshot"};
constexpr std::array<std::string_view, 3> shutdown_details{"finished", "guest", "host"};
constexpr std::array<std::string_view, 2> pmsuspended_details{"memory", "disk"};
constexpr std::array<std::string_view, 2> crashed_details{"panicked", "crashloaded"};

// Reason words per domain state, indexed by libvirt's virDomain*Reason enums.
constexpr std::array<std::string_view, 12> running_reasons{
    "unknown", "booted", "migrated", "restored", "from_snapshot", "unpaused", "migration_canceled",
    "save_canceled", "wakeup", "crashed", "postcopy", "postcopy_failed"};
constexpr std::array<std::string_view, 15> paused_reasons{
    "unknown", "user", "migration", "save", "dump", "ioerror", "watchdog", "from_snapshot",
    "shutting_down", "snapshot", "crashed", "starting_up", "postcopy", "postcopy_failed", "api_error"};
constexpr std::array<std::string_view, 2> shutdown_reasons{"unknown", "user"};
constexpr std::array<std::string_view, 9> shutoff_reasons{"unknown", "shutdown", "destroyed", "crashed",
                                                          "migrated", "saved", "failed", "from_snapshot",
                                                          "daemon"};
constexpr std::array<std::string_view, 2> crashed_reasons{"unknown", "panicked"};
constexpr std::array<std::string_view, 1> unknown_reason{"unknown"};

constexpr std::array<std::string_view, 11> job_operations{
    "unknown", "start", "save", "restore", "migration_in", "migration_out", "snapshot", "snapshot_revert",
    "dump", "backup", "snapshot_delete"};

// The tables above are written against libvirt's numbering; catch a renumbering (never
// happens in libvirt's stable ABI, but a typo here would) at compile time.
static_assert(VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN == 0 && VIR_DOMAIN_EVENT_STOPPED_DESTROYED == 1 &&
              VIR_DOMAIN_EVENT_STOPPED_CRASHED == 2 && VIR_DOMAIN_EVENT_STOPPED_FAILED == 5);
static_assert(VIR_DOMAIN_EVENT_STARTED_WAKEUP == 4 && VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED == 8);
static_assert(VIR_DOMAIN_SHUTOFF_DAEMON == 8 && VIR_DOMAIN_PAUSED_API_ERROR == 14);
static_assert(VIR_DOMAIN_RUNNING_POSTCOPY_FAILED == 11 && VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT == 6);
static_assert(VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE == 10);

} // namespace

errc classify_libvirt_error(int code, int domain) {
  switch (code) {
    case VIR_ERR_OK:
      return errc::none;
    case VIR_ERR_NO_DOMAIN:
      return errc::not_found;
    case VIR_ERR_OPERATION_INVALID:
      return errc::conflict;
    case VIR_ERR_DOM_EXIST:
      return errc::already_exists;
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_RPC:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
      return errc::unavailable;
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
    case VIR_ERR_XML_INVALID_SCHEMA:
    case VIR_ERR_INVALID_ARG:
      return errc::invalid_argument;
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
      return errc::unsupported;
    case VIR_ERR_OPERATION_TIMEOUT:
    case VIR_ERR_AGENT_UNRESPONSIVE:
      return errc::timeout;
    case VIR_ERR_OPERATION_DENIED:
      return errc::forbidden;
    case VIR_ERR_OPERATION_ABORTED:
      return errc::cancelled;
    case VIR_ERR_INTERNAL_ERROR:
      // The RPC layer reports a broken stream as an internal error of domain RPC.
      return domain == VIR_FROM_RPC ? errc::unavailable : errc::internal;
    default:
      return errc::internal;
  }
}

std::optional<domain_event> decode_lifecycle_event(std::string domain, int event, int detail) {
  using enum domain_event::kind;
  domain_event e;
  e.domain = std::move(domain);
  switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED: e.what = defined; e.detail = word(defined_details, detail); break;
    case VIR_DOMAIN_EVENT_UNDEFINED: e.what = undefined; e.detail = word(undefined_details, detail); break;
    case VIR_DOMAIN_EVENT_STARTED: e.what = started; e.detail = word(started_details, detail); break;
    case VIR_DOMAIN_EVENT_SUSPENDED: e.what = suspended; e.detail = word(suspended_details, detail); break;
    case VIR_DOMAIN_EVENT_RESUMED: e.what = resumed; e.detail = word(resumed_details, detail); break;
    case VIR_DOMAIN_EVENT_STOPPED:
      e.what = stopped;
      e.detail = word(stopped_details, detail);
      // Only a guest that powered itself off (or answered the ACPI button) is graceful;
      // destroyed, crashed and failed (QEMU died) are not, and migrated/saved are not a
      // guest decision either.
      e.graceful = detail == VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN;
      break;
    case VIR_DOMAIN_EVENT_SHUTDOWN: e.what = shutdown; e.detail = word(shutdown_details, detail); break;
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      e.what = pm_suspended;
      e.detail = word(pmsuspended_details, detail);
      break;
    case VIR_DOMAIN_EVENT_CRASHED: e.what = crashed; e.detail = word(crashed_details, detail); break;
    default:
      return std::nullopt;
  }
  return e;
}

domain_status decode_domain_state(int state, int reason) {
  domain_status s;
  switch (state) {
    case VIR_DOMAIN_RUNNING: s.state = domain_state::running; s.reason = word(running_reasons, reason); break;
    case VIR_DOMAIN_BLOCKED: s.state = domain_state::blocked; s.reason = word(unknown_reason, reason); break;
    case VIR_DOMAIN_PAUSED: s.state = domain_state::paused; s.reason = word(paused_reasons, reason); break;
    case VIR_DOMAIN_SHUTDOWN:
      s.state = domain_state::shutting_down;
      s.reason = word(shutdown_reasons, reason);
      break;
    case VIR_DOMAIN_SHUTOFF: s.state = domain_state::shut_off; s.reason = word(shutoff_reasons, reason); break;
    case VIR_DOMAIN_CRASHED: s.state = domain_state::crashed; s.reason = word(crashed_reasons, reason); break;
    case VIR_DOMAIN_PMSUSPENDED:
      s.state = domain_state::pm_suspended;
      s.reason = word(unknown_reason, reason);
      break;
    default: s.state = domain_state::no_state; s.reason = "unknown"; break;
  }
  return s;
}

std::string_view job_operation_name(int operation) {
  return word(job_operations, operation);
}

} // namespace podvisor::virt
