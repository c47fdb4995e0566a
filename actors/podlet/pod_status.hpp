#pragma once
// A pod's status as kubelet reports it, computed from the Pod object and what the pod
// runtime observes: a pure function, so the status writer can re-apply it to every fresh
// read after a conflict, and tests can check it as a table.
//
// What kubelet's generateAPIPodStatus / getPhase do, and we do too:
//   - phase: Pending until every container runs or ran; Running while one runs;
//     with restartPolicy Never, Succeeded when all ended with 0, else Failed; with
//     OnFailure, Succeeded when all ended with 0, else Running (it would restart);
//     with Always, Running. A terminal phase (Succeeded, Failed) never goes back.
//   - conditions PodScheduled, Initialized (no init containers: True once the sandbox
//     exists), ContainersReady and Ready (no probes: ready = running), each with
//     lastTransitionTime kept while its status stays; conditions of other types kept.
//   - containerStatuses in spec order; a container the runtime does not know (yet) is
//     waiting with the pod's waiting reason (ContainerCreating, CreateContainerError).
//   - hostIP/hostIPs, podIP/podIPs, startTime (set once).
// Plain C++, no CAF.

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/podlet/pod_runtime.hpp"

namespace podvisor::actors::podlet {

/// What is known about a pod besides the Pod object.
struct pod_status_input {
  /// The runtime's view; none before run_pod succeeded.
  std::optional<podvisor::kube::podlet::pod_observation> observation;
  /// The node's address.
  std::string host_ip;
  /// Without an observation: why the containers wait ("ContainerCreating",
  /// "CreateContainerError") and the runtime's message.
  std::string waiting_reason = "ContainerCreating";
  std::string waiting_message;
  /// Set for a permanent failure: the pod becomes Failed with this reason and message.
  std::string failed_reason;
  std::string failed_message;
  /// Transition times and startTime.
  std::chrono::system_clock::time_point now{};
};

/// The pod's new status: `pod`'s current status (kept where the podlet does not own the
/// field) with everything above applied.
nlohmann::json build_pod_status(const nlohmann::json& pod, const pod_status_input& input);

/// "Pending", "Running", "Succeeded", "Failed" of `pod`'s status ("" when absent).
std::string pod_phase(const nlohmann::json& pod);

/// Whether the phase is Succeeded or Failed.
bool is_terminal_phase(const std::string& phase);

/// RFC 3339 with seconds, as Kubernetes writes metav1.Time ("2026-11-28T12:00:00Z").
std::string format_time(std::chrono::system_clock::time_point t);

} // namespace podvisor::actors::podlet
