#pragma once
// The configuration of a launcher's private libvirt daemon, rendered as libvirtd.conf and
// qemu.conf. Pure functions, so every setting that matters is unit tested and explained
// in one place (facts measured in ../shared/reference/libvirt-migration-on-one-machine.md):
//
// - a distinct host_uuid per daemon: two daemons with the same UUID refuse to migrate
//   between each other ("Attempt to migrate guest to the same host");
// - local unix socket only, no TCP (nothing listens on a network address without
//   authentication); the socket is 0700, root only;
// - cgroup_controllers = [ ]: QEMU stays in the launcher's cgroup, i.e. the pod's;
// - security_driver = "none", dynamic_ownership = 0, remember_owner = 0: libvirt never
//   relabels or chowns files the pod shares with the node;
// - stdio_handler = "file": QEMU's log goes straight to a file, no virtlogd needed;
// - namespaces = [ ]: no extra mount namespace per QEMU (the daemon already has one).

#include <string>

namespace podvisor::virt {

struct daemon_config {
  std::string host_uuid;        ///< RFC 4122 text form, distinct per daemon
  std::string log_file;         ///< libvirtd's own log (warnings and errors)
  int log_level = 3;            ///< libvirt levels: 1 debug … 4 error
  int keepalive_interval_s = 5; ///< the daemon's keepalive towards clients
  int keepalive_count = 5;
  /// Address QEMU listens on for incoming migrations; empty: libvirt's default.
  std::string migration_address;
};

/// The libvirtd.conf text for `cfg`.
std::string render_libvirtd_conf(const daemon_config& cfg);
/// The qemu.conf text for `cfg`.
std::string render_qemu_conf(const daemon_config& cfg);

/// A random (version 4) UUID in text form.
std::string random_uuid();
/// True when `s` is a UUID in 8-4-4-4-12 hex form.
bool is_uuid(const std::string& s);

} // namespace podvisor::virt
