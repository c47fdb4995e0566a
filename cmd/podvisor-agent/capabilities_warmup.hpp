#pragma once
// The node's QEMU capabilities cache, filled when the agent starts.
//
// Every launcher's private libvirtd needs QEMU's capabilities before it can define a
// domain; without a valid cache entry it probes QEMU, seconds of CPU. Launchers share a
// node cache (virt/daemon/capabilities_cache.hpp), but on a fresh node the first VMs
// would still wait for one of them to probe. The agent pays that once, before any VM
// asks: it runs the launcher binary with --warm-capabilities (a private daemon that
// probes or confirms the cache, then stops), the way KubeVirt's virt-handler runs libvirt
// for its node labeller. A launcher started meanwhile waits for the same probe turn and
// seeds the result, so nothing is probed twice.
//
// Plain C++ (no CAF): main runs it on a thread of its own; tests run it with a fake
// launcher.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

namespace podvisor::cmd::agent {

struct warmup_options {
  std::string launcher_binary;
  std::filesystem::path capabilities_cache;
  /// The warm-up's own directory (created, and removed with everything in it at the
  /// end). Short: the daemon's socket path under it must fit in 108 bytes.
  std::filesystem::path work_dir;
  /// How long the launcher may take (a probe is ~8 s on an idle machine).
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::string log_level = "info";
};

/// How a warm-up ended.
struct warmup_report {
  bool warm = false;
  /// The launcher's last line when warm; else why not, with the end of its output.
  std::string detail;
  std::chrono::milliseconds took{0};
};

/// Runs the warm-up to its end: spawns the launcher, waits for it (stopping it with
/// SIGTERM, then SIGKILL, on `cancel` or after the timeout), and removes the work dir.
/// Blocks; `cancel` is polled every 100 ms.
warmup_report run_capabilities_warmup(const warmup_options& opts, const std::atomic<bool>& cancel);

} // namespace podvisor::cmd::agent
