#pragma once
// The seam between the podlet's reconcile loop (actors/podlet: watches its node's pods,
// writes their status, handles deletion) and the mechanism that runs pods on a
// simulated node (kube/podlet: sandboxes of network namespace + mount namespace +
// cgroup, containers as processes under a monitor). The loop only ever calls this
// interface, so its unit tests use a fake and the mechanism is tested on its own with
// real namespaces.
//
// Every call is short and non-blocking (no waiting for processes to exit): graceful
// termination is signal → the loop's own timer → kill, driven by the caller. State
// lives on disk under the runtime's state directory, so a new runtime object (a podlet
// restart) sees the pods an earlier one started, and their containers keep running.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

/// One container as the runtime sees it now.
struct container_observation {
  std::string name;
  enum class state : std::uint8_t { waiting, running, terminated };
  state current = state::waiting;
  /// For waiting: a kubelet-style reason ("ContainerCreating", "CreateContainerError").
  /// For terminated: "Completed" (exit 0), "Error", "OOMKilled".
  std::string reason;
  std::string message;
  std::optional<int> exit_code;
  /// Set when the container was killed by a signal (before the 128+n folding).
  std::optional<int> signal;
  /// Unix nanoseconds (wall clock); 0 when not reached.
  std::int64_t started_at_ns = 0;
  std::int64_t finished_at_ns = 0;
  /// The container's main process while running; 0 otherwise.
  int pid = 0;
  std::uint32_t restart_count = 0;
};

/// One pod as the runtime sees it now.
struct pod_observation {
  std::string uid;
  std::string namespace_;
  std::string name;
  /// The pod's address on the node's pod network ("" until the sandbox exists).
  std::string pod_ip;
  bool sandbox_ready = false;
  std::vector<container_observation> containers;
};

/// Runs pods on one node. Thread safety: callers may call from any thread; calls on one
/// pod are serialized internally, calls on different pods may run side by side.
class pod_runtime {
public:
  virtual ~pod_runtime() = default;

  /// Makes the pod's sandbox and starts its containers, from the Pod object as the API
  /// server returned it (spec.nodeName set). Idempotent: a pod that exists is left as it
  /// is and observed. A pod the runtime cannot run (an unsupported volume, a missing
  /// binary, a memory limit below what a process needs) gives an error whose message a
  /// user can act on; whatever was half made is removed again.
  virtual expected<pod_observation> run_pod(const nlohmann::json& pod) = 0;

  /// The pod's current state, collecting exits that happened since the last call.
  /// errc::not_found for an unknown uid.
  virtual expected<pod_observation> observe(const std::string& uid) = 0;

  /// Sends `signal` (SIGTERM, SIGKILL) to every running container of the pod.
  virtual error signal_pod(const std::string& uid, int signal) = 0;

  /// Removes the sandbox: kills what still runs, then removes mounts, namespaces, veth,
  /// cgroup and state. Idempotent (an unknown uid is success).
  virtual error remove_pod(const std::string& uid) = 0;

  /// The uids of every pod this runtime's state directory knows (for re-adoption after a
  /// restart, and to find pods the API server no longer has).
  virtual std::vector<std::string> list_pods() = 0;
};

} // namespace podvisor::kube::podlet
