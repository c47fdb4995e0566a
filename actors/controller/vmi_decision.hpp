#pragma once
// The VMI controller's decision (KubeVirt's virt-controller VMI sync + updateStatus) as
// a pure function: a VMI, its launcher pods and a few facts in, actions out. The actor
// (vmi_controller.hpp) carries them out; tests table every case.
//
// Phases this controller drives, and the handover:
//
//   "" ──validate──► Pending ──pod observed──► Scheduling ──pod bound and Running──► Scheduled
//    (finalizer added,   (pod created with      (PodScheduled=False copied     (status.nodeName
//     pod created)        the deterministic      from the pod while it is        from the pod)
//                         name)                  unschedulable)
//
//   From Scheduled on the node agent owns the phase (Scheduled → Running → Succeeded or
//   Failed): this controller never sets Running, Succeeded or Failed on a VMI whose
//   phase is past Scheduled, and never moves a phase backwards; the status change it
//   writes only applies when the phase it read is still the phase it decided from (a
//   compare-and-set inside the status writer's read-modify-write), so it cannot undo an
//   agent's write that raced with it. It still fails a VMI (not final) whose pod is gone
//   or failed before the VMI finished — the case where no agent is left to report,
//   exactly as virt-controller does.
//
//   Failures: the pod Failed, or Succeeded, or terminating (deletionTimestamp) while the
//   VMI is not being deleted, or gone after it was observed → VMI Failed with a reason
//   (PodFailed, PodSucceeded, PodTerminating, PodDeleted).
//
//   Deletion: a VMI with a deletionTimestamp gets its pods deleted with its
//   terminationGracePeriodSeconds; its finalizer `foregroundDeleteVirtualMachine`
//   (KubeVirt's VirtualMachineInstanceFinalizer) is removed once no pod is left, and the
//   API server then removes the VMI. A final VMI (Succeeded/Failed) gets its pods
//   deleted too (their launcher has nothing left to run).
//
//   Expectations: while an expected pod creation has not been observed, the decision
//   neither creates a pod nor concludes that the pod is gone.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/controller/launcher_pod.hpp"

namespace podvisor::actors::controller {

/// KubeVirt's VirtualMachineInstanceFinalizer.
inline constexpr const char* vmi_finalizer = "foregroundDeleteVirtualMachine";

/// What the decision needs besides the objects.
struct vmi_facts {
  /// No pod creation for this VMI is expected but not yet observed.
  bool expectations_satisfied = true;
  /// RFC 3339 time for phaseTransitionTimestamps and condition transitions.
  std::string now;
  launcher_pod_config pod;
};

/// A condition to set (type, status, reason, message) in status.conditions.
struct condition_edit {
  std::string type;
  std::string status;
  std::string reason;
  std::string message;
  bool operator==(const condition_edit&) const = default;
};

/// The status the decision wants, applied only if the phase is still `from_phase`.
struct vmi_status_edit {
  /// The phase the decision read (the compare in compare-and-set).
  std::string from_phase;
  /// The new phase (== from_phase: no phase change); each change appends a
  /// phaseTransitionTimestamps entry.
  std::string phase;
  /// Set when not empty.
  std::string node_name;
  /// Set when not empty (with phase Failed).
  std::string reason;
  std::vector<condition_edit> set_conditions;
  std::vector<std::string> remove_conditions;
  bool operator==(const vmi_status_edit&) const = default;
};

/// A pod to delete.
struct pod_deletion {
  std::string name;
  std::int64_t grace_period_seconds = 30;
  bool operator==(const pod_deletion&) const = default;
};

/// An event about the VMI.
struct vmi_event {
  std::string type; ///< "Normal" / "Warning"
  std::string reason;
  std::string message;
  bool operator==(const vmi_event&) const = default;
};

/// What to do for one VMI.
struct vmi_actions {
  /// Add the finalizer (before the first pod is created).
  bool add_finalizer = false;
  /// Remove the finalizer (being deleted, no pod left).
  bool remove_finalizer = false;
  /// A pod to create.
  std::optional<nlohmann::json> create_pod;
  std::vector<pod_deletion> delete_pods;
  std::optional<vmi_status_edit> status;
  std::vector<vmi_event> events;
  /// The VMI cannot be reconciled (e.g. no memory size): a sync failure with this reason
  /// and message, retried (a condition and a Warning Event say why).
  std::string error_reason;
  std::string error_message;
};

/// Decides for `vmi` (null: deleted; nothing to do) and its launcher pods (those whose
/// controller owner reference is the VMI's uid).
vmi_actions decide_vmi(const nlohmann::json* vmi, const std::vector<nlohmann::json>& pods, const vmi_facts& facts);

/// Applies `edit` to a VMI object read from the API server (used inside the status
/// writer's read-modify-write); returns false when the phase moved on meanwhile and the
/// edit was not applied.
bool apply_vmi_status_edit(nlohmann::json& vmi, const vmi_status_edit& edit, const std::string& now);

} // namespace podvisor::actors::controller
