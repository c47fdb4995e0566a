#pragma once
// A launcher's private libvirt daemon: one libvirtd per VM, in the pod, owned by the
// launcher from start to stop.
//
// Isolation: libvirtd (privileged) has fixed paths — /etc/libvirt, /run/libvirt,
// /var/lib/libvirt, /var/log/libvirt, /var/cache/libvirt. The daemon is started in its own
// private mount namespace (made between fork and exec) in which those paths are bind
// mounts of directories under the launcher's root, so two daemons on one node never share
// a file, and nothing is written outside the launcher's root. /run as a whole is replaced
// (libvirt's run dir does not exist on a host without a system libvirtd, and creating it
// there would write outside our directories); libvirtd and QEMU need nothing else in /run.
// The unix socket stays reachable from outside by its real path under the root.
//
// Layout under `root`:
//   etc/      → /etc/libvirt        libvirtd.conf, qemu.conf (rendered on every start)
//   run/      → /run                run/libvirt/libvirt-sock, run/libvirt/qemu/<dom>.pid
//   lib/      → /var/lib/libvirt    domain state, NVRAM
//   log/      → /var/log/libvirt    libvirtd.log, qemu/<dom>.log
//   cache/    → /var/cache/libvirt  qemu/capabilities (seeded from the node's copy)
//   libvirtd.out                     the daemon's stdout/stderr

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include "common/error.hpp"
#include "virt/daemon/capabilities_cache.hpp"
#include "virt/daemon/daemon_config.hpp"

namespace podvisor::virt {

struct daemon_options {
  /// The launcher's directory for everything the daemon writes. Must be short enough for
  /// the socket path (< 108 bytes in all).
  std::filesystem::path root;
  /// Node-level QEMU capabilities cache shared by launchers; empty: none.
  std::filesystem::path node_capabilities_cache;
  /// libvirtd's settings; an empty host_uuid gets a random one.
  daemon_config config;
  std::string binary = "libvirtd";
  /// CPUs the daemon is pinned to (keeps the capabilities cache key stable); empty: any.
  std::vector<int> cpus = {0};
  /// From spawn until the socket accepts connections. Generous: a daemon that has to
  /// probe QEMU takes ~8 s on an idle machine, much longer on a loaded one.
  std::chrono::milliseconds start_timeout{90'000};
  /// SIGTERM → SIGKILL. libvirtd 11 usually needs ~2 s, once measured 30 s.
  std::chrono::milliseconds stop_timeout{40'000};
};

/// Where the daemon's paths are, seen from outside its mount namespace.
struct daemon_paths {
  std::filesystem::path root, etc, run, lib, log, cache;
  std::filesystem::path socket() const { return run / "libvirt" / "libvirt-sock"; }
  std::filesystem::path capabilities_dir() const { return cache / "qemu" / "capabilities"; }
  std::filesystem::path qemu_log_dir() const { return log / "qemu"; }
  std::filesystem::path qemu_pid_dir() const { return run / "libvirt" / "qemu"; }
  std::filesystem::path daemon_output() const { return root / "libvirtd.out"; }
  std::filesystem::path daemon_log() const { return log / "libvirtd.log"; }
};

daemon_paths paths_under(const std::filesystem::path& root);

/// A running private libvirtd.
class libvirt_daemon {
public:
  /// Creates the layout, renders the configuration, seeds the capabilities cache, starts
  /// libvirtd in its own mount namespace and waits until its socket accepts connections.
  /// A daemon that exits early or never opens its socket is reported with the tail of its
  /// log and stopped.
  static expected<std::unique_ptr<libvirt_daemon>> start(daemon_options opts);

  ~libvirt_daemon();
  libvirt_daemon(const libvirt_daemon&) = delete;
  libvirt_daemon& operator=(const libvirt_daemon&) = delete;

  /// The URI a libvirt client uses: qemu+unix:///system?socket=<socket path>.
  std::string uri() const;
  const daemon_paths& paths() const { return paths_; }
  const std::string& host_uuid() const { return opts_.config.host_uuid; }
  pid_t pid() const;
  bool running();
  /// Spawn → socket accepting.
  std::chrono::milliseconds start_duration() const { return start_duration_; }
  /// Entries copied from the node cache before start.
  int seeded_entries() const { return seeded_entries_; }

  /// Seeds the private cache again from the node cache, for entries another launcher
  /// published after this daemon started (see wait_for_probe_turn). Only worth calling
  /// before the daemon's first QEMU lookup: libvirt reads its cache then, and only then.
  /// Returns how many entries were copied; 0 without a node cache.
  expected<int> seed_capabilities_late();

  /// Publishes a fresh capabilities probe to the node cache (call once QEMU has been used:
  /// libvirt probes at start, so after the first define at the latest). Idempotent.
  expected<capabilities_outcome> publish_capabilities();

  /// SIGTERM, waits for the exit (SIGKILL after the stop timeout). Always reaps: a new
  /// daemon started on the same root before the old one is gone would come up without its
  /// QEMU driver (its pid file is still locked).
  std::string stop();

  /// The last `lines` lines of the daemon's log and output, for error messages.
  std::string log_tail(std::size_t lines = 15) const;

private:
  libvirt_daemon(daemon_options opts, daemon_paths paths);
  struct process_holder;

  daemon_options opts_;
  daemon_paths paths_;
  std::unique_ptr<process_holder> process_;
  cache_snapshot seeded_;
  int seeded_entries_ = 0;
  std::chrono::milliseconds start_duration_{0};
};

} // namespace podvisor::virt
