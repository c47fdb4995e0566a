#pragma once
// The real `connection`: libvirt's C API behind the interface of connection.hpp. No
// libvirt header is included here; users link podvisor_virt_libvirt and see only the
// factory.
//
//   auto c = virt::open_connection("qemu+unix:///system?socket=/run/pv/libvirt-sock",
//                                  {.on_domain_event = ..., .on_connection_lost = ...}, {});
//   if (!c) return c.error();            // classified: unavailable, forbidden, ...
//   (*c)->define_domain(xml);
//
// Threads: one process-wide libvirt event loop thread (see event_loop.hpp) runs while any
// connection is open; every callback of every connection is delivered on it, never
// after the connection's destructor has returned. Every member may be called from any
// thread.

#include <memory>
#include <string>

#include "common/error.hpp"
#include "virt/libvirt/connection.hpp"

namespace podvisor::virt {

/// How a libvirt connection is opened and kept.
struct connection_options {
  /// virConnectSetKeepAlive: seconds between keepalive messages (<= 0 disables), and how
  /// many may go unanswered before the connection is closed as lost. Drivers without
  /// keepalive (test:///, local drivers) ignore it.
  int keepalive_interval_s = 5;
  unsigned keepalive_count = 5;
  /// Where the daemon's QEMU driver writes `<name>.pid` (`<run dir>/qemu`, e.g.
  /// /run/libvirt/qemu for a system daemon; the launcher knows its private daemon's run
  /// dir). Empty: stats() reports qemu_pid 0. libvirt's API does not expose the pid.
  std::string qemu_pid_dir;
};

/// Opens `uri`, sets keepalive, and registers lifecycle, job-completed and close
/// callbacks. Errors are classified (a daemon that is not there: unavailable) and keep
/// libvirt's message; libvirt prints nothing.
expected<std::unique_ptr<connection>> open_connection(const std::string& uri, connection_callbacks cb,
                                                      connection_options opts = {});

} // namespace podvisor::virt
