#pragma once
// `bench_launcher --virsh-only`: the floor of issue 8's benchmark (bench/cluster/
// vm_boot_bench.py). N domains of the test guest started at once with `virsh create` on one
// plain libvirtd (virt/daemon, as the launcher benchmark's baseline), each domain exactly
// as the launcher's own preparation (launcher_cmd::prepare_vm) converts its VMI; per
// domain create → running (virsh create returned) and create → booted marker in its serial
// log, as p50/p95; then every domain is destroyed and the daemon stopped.

#include <csignal>
#include <filesystem>
#include <string>

namespace podvisor::bench_launcher {

struct virsh_burst_options {
  int count = 1;
  int memory_mib = 64;
  std::string accel = "tcg"; ///< auto, kvm or tcg, as the launcher's --accel
  std::filesystem::path kernel, initrd, out;
  /// Set by the caller's SIGINT/SIGTERM handler: stop waiting, clean up, fail.
  const volatile std::sig_atomic_t* interrupted = nullptr;
};

/// Runs the burst, prints a table, writes JSON to `out`; the exit code (0: every domain
/// ran and booted and everything was cleaned up).
int run_virsh_burst(const virsh_burst_options& opts);

} // namespace podvisor::bench_launcher
