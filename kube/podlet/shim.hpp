#pragma once
// The monitor of one container (the body of podvisor-shim). The runtime starts it per
// container and waits only until the container process has started: the shim forks a
// daemon that leaves the runtime's session (setsid), so a podlet that restarts or dies
// does not take containers with it, and a new runtime re-adopts them from their records.
//
// The daemon forks the container process, which joins the pod's cgroup, enters the pod's
// network and mount namespaces, changes to workingDir, sends stdout and stderr to the log
// and execs. The daemon records "running" (pid, start time), waits, and records the exit:
// code or signal, and OOMKilled when the cgroup's oom_kill counter grew meanwhile.

#include <string>

namespace podvisor::kube::podlet {

/// Runs the shim for the launch spec in `spec_path` (container_record.hpp). Returns the
/// process exit code for the runtime: 0 once the container runs (the record says so), 1
/// when it could not be started (the message is printed on stdout and recorded).
int run_shim(const std::string& spec_path);

} // namespace podvisor::kube::podlet
