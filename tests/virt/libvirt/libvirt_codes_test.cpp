#include "virt/libvirt/libvirt_codes.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <catch2/catch_test_macros.hpp>

namespace podvisor::virt {

TEST_CASE("classify_libvirt_error maps libvirt's codes to errc", "[virt][libvirt]") {
  struct row {
    int code;
    int domain;
    errc want;
  };
  const row rows[] = {
      {VIR_ERR_OK, VIR_FROM_NONE, errc::none},
      {VIR_ERR_NO_DOMAIN, VIR_FROM_QEMU, errc::not_found},
      {VIR_ERR_OPERATION_INVALID, VIR_FROM_QEMU, errc::conflict},
      {VIR_ERR_DOM_EXIST, VIR_FROM_DOMAIN, errc::already_exists},
      {VIR_ERR_NO_CONNECT, VIR_FROM_NONE, errc::unavailable},
      {VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC, errc::unavailable},
      {VIR_ERR_RPC, VIR_FROM_RPC, errc::unavailable},
      {VIR_ERR_AUTH_FAILED, VIR_FROM_AUTH, errc::unavailable},
      {VIR_ERR_AUTH_CANCELLED, VIR_FROM_AUTH, errc::unavailable},
      {VIR_ERR_AUTH_UNAVAILABLE, VIR_FROM_AUTH, errc::unavailable},
      {VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, errc::unavailable},
      {VIR_ERR_XML_ERROR, VIR_FROM_DOMAIN, errc::invalid_argument},
      {VIR_ERR_XML_DETAIL, VIR_FROM_XML, errc::invalid_argument},
      {VIR_ERR_XML_INVALID_SCHEMA, VIR_FROM_DOMAIN, errc::invalid_argument},
      {VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, errc::invalid_argument},
      {VIR_ERR_NO_SUPPORT, VIR_FROM_NONE, errc::unsupported},
      {VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_QEMU, errc::unsupported},
      {VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_QEMU, errc::timeout},
      {VIR_ERR_AGENT_UNRESPONSIVE, VIR_FROM_QEMU, errc::timeout},
      {VIR_ERR_OPERATION_DENIED, VIR_FROM_ACCESS, errc::forbidden},
      {VIR_ERR_OPERATION_ABORTED, VIR_FROM_QEMU, errc::cancelled},
      {VIR_ERR_INTERNAL_ERROR, VIR_FROM_QEMU, errc::internal},
      {VIR_ERR_OPERATION_FAILED, VIR_FROM_QEMU, errc::internal},
      {9999, VIR_FROM_NONE, errc::internal},
  };
  for (const auto& r : rows) {
    INFO("code " << r.code << " domain " << r.domain);
    CHECK(classify_libvirt_error(r.code, r.domain) == r.want);
  }
}

TEST_CASE("lifecycle events decode with detail words and gracefulness", "[virt][libvirt]") {
  using enum domain_event::kind;
  struct row {
    int event;
    int detail;
    domain_event::kind what;
    const char* words;
    bool graceful;
  };
  const row rows[] = {
      {VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED, defined, "added", false},
      {VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_UPDATED, defined, "updated", false},
      {VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, undefined, "removed", false},
      {VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, started, "booted", false},
      {VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_MIGRATED, started, "migrated", false},
      {VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_WAKEUP, started, "wakeup", false},
      {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, suspended, "paused", false},
      {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_IOERROR, suspended, "ioerror", false},
      {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED, suspended, "postcopy_failed", false},
      {VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, resumed, "unpaused", false},
      {VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED, resumed, "migrated", false},
      {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, stopped, "shutdown", true},
      {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED, stopped, "destroyed", false},
      {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, stopped, "crashed", false},
      {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED, stopped, "failed", false},
      {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_MIGRATED, stopped, "migrated", false},
      {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED, stopped, "saved", false},
      {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT, stopped, "from_snapshot", false},
      {VIR_DOMAIN_EVENT_STOPPED, 99, stopped, "unknown", false},
      {VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED, shutdown, "finished", false},
      {VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_GUEST, shutdown, "guest", false},
      {VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_HOST, shutdown, "host", false},
      {VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_DISK, pm_suspended, "disk", false},
      {VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED, crashed, "panicked", false},
      {VIR_DOMAIN_EVENT_CRASHED, -1, crashed, "unknown", false},
  };
  for (const auto& r : rows) {
    INFO("event " << r.event << " detail " << r.detail);
    auto e = decode_lifecycle_event("pv", r.event, r.detail);
    REQUIRE(e.has_value());
    CHECK(e->domain == "pv");
    CHECK(e->what == r.what);
    CHECK(e->detail == r.words);
    CHECK(e->graceful == r.graceful);
  }
  CHECK_FALSE(decode_lifecycle_event("pv", 1000, 0).has_value());
  CHECK_FALSE(decode_lifecycle_event("pv", -1, 0).has_value());
}

TEST_CASE("domain states decode with reason words", "[virt][libvirt]") {
  struct row {
    int state;
    int reason;
    domain_state want;
    const char* words;
  };
  const row rows[] = {
      {VIR_DOMAIN_NOSTATE, 0, domain_state::no_state, "unknown"},
      {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED, domain_state::running, "booted"},
      {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED, domain_state::running, "migrated"},
      {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY_FAILED, domain_state::running, "postcopy_failed"},
      {VIR_DOMAIN_BLOCKED, 0, domain_state::blocked, "unknown"},
      {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, domain_state::paused, "user"},
      {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR, domain_state::paused, "ioerror"},
      {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_API_ERROR, domain_state::paused, "api_error"},
      {VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER, domain_state::shutting_down, "user"},
      {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN, domain_state::shut_off, "shutdown"},
      {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED, domain_state::shut_off, "destroyed"},
      {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED, domain_state::shut_off, "crashed"},
      {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED, domain_state::shut_off, "failed"},
      {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DAEMON, domain_state::shut_off, "daemon"},
      {VIR_DOMAIN_SHUTOFF, 77, domain_state::shut_off, "unknown"},
      {VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED, domain_state::crashed, "panicked"},
      {VIR_DOMAIN_PMSUSPENDED, 0, domain_state::pm_suspended, "unknown"},
      {42, 0, domain_state::no_state, "unknown"},
  };
  for (const auto& r : rows) {
    INFO("state " << r.state << " reason " << r.reason);
    auto s = decode_domain_state(r.state, r.reason);
    CHECK(s.state == r.want);
    CHECK(s.reason == r.words);
  }
}

TEST_CASE("job operations have names", "[virt][libvirt]") {
  CHECK(job_operation_name(VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT) == "migration_out");
  CHECK(job_operation_name(VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN) == "migration_in");
  CHECK(job_operation_name(VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE) == "snapshot_delete");
  CHECK(job_operation_name(-3) == "unknown");
  CHECK(job_operation_name(500) == "unknown");
}

} // namespace podvisor::virt
