#pragma once
// Child processes a Podvisor component owns: started with fork/exec, their output sent to
// a file, stopped with SIGTERM then SIGKILL after a grace period, always reaped. Used by
// the launcher for its private libvirt daemon and by tests and tools for helpers.
//
// Why not std::system or popen: we need the pid (to signal and to wait with a deadline),
// a child that dies with its parent (PR_SET_PDEATHSIG), and a hook that runs in the child
// between fork and exec (the launcher gives libvirtd a private mount namespace there).

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "common/error.hpp"

namespace podvisor {

/// How a child ended.
struct exit_status {
  bool exited = false;   ///< true: exited with `code`; false: killed by `signal`
  int code = 0;
  int signal = 0;

  bool success() const { return exited && code == 0; }
  /// "exit code 3", "killed by signal 9 (Killed)".
  std::string to_string() const;
};

/// Runs in the child after fork, before exec. Must only make system calls on data
/// prepared before fork (no allocation: the parent may be multi-threaded). Returns 0 on
/// success or an errno value, which the parent reports as the spawn's error.
using pre_exec_hook = int (*)(void* context);

struct spawn_options {
  /// stdout and stderr go to this file (appended, created 0600); empty: inherited.
  std::string output_path;
  /// Extra environment entries "NAME=value" on top of the parent's.
  std::vector<std::string> env;
  /// CPUs the child may run on; empty: inherited.
  std::vector<int> cpus;
  /// Signal the child receives when the spawning thread's process dies (0: none).
  int parent_death_signal = 0;
  pre_exec_hook hook = nullptr;
  void* hook_context = nullptr;
};

/// One child process. Destroying a still-running child terminates it (SIGTERM, 5 s,
/// SIGKILL) so a failing caller never leaks it.
class child_process {
public:
  /// Starts `argv` (argv[0] is looked up on PATH unless it contains '/'). The error
  /// names the program and why exec (or the hook) failed.
  static expected<child_process> spawn(const std::vector<std::string>& argv, const spawn_options& opts = {});

  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  ~child_process();

  pid_t pid() const { return pid_; }
  /// True until the child has been reaped.
  bool running();
  /// The exit status once reaped (by running(), wait_for() or stop()).
  const std::optional<exit_status>& status() const { return status_; }

  /// Waits up to `timeout` for the child to exit; timeout error when it did not.
  expected<exit_status> wait_for(std::chrono::milliseconds timeout);
  /// Sends `sig` (no-op once reaped).
  void signal(int sig);
  /// SIGTERM, waits `grace`, then SIGKILL and waits for the exit. Never fails to reap.
  exit_status stop(std::chrono::milliseconds grace);

private:
  explicit child_process(pid_t pid) : pid_(pid) {}
  bool try_reap(bool block);

  pid_t pid_ = -1;
  std::optional<exit_status> status_;
};

/// Resident set size of a process in KiB (VmRSS from /proc), or not_found.
expected<long> process_rss_kib(pid_t pid);

} // namespace podvisor
