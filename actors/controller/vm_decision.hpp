#pragma once
// The VM controller's decisions (KubeVirt's pkg/virt-controller/watch/vm), plain C++ and
// deterministic so that every run strategy × VMI phase × state change request is a row
// in a table test. The actor (vm_controller.hpp) feeds it the VM, the VMI of the same
// name from its cache and the wall time, carries out the actions and writes the status.
//
// What each run strategy does (spec.running: true is Always, false is Halted):
//
//   strategy        no VMI                        VMI Succeeded     VMI Failed
//   Always          create (after back-off)       delete → create   delete → create
//   RerunOnFailure  create when newly set or      keep (stopped)    delete → create
//                   on a Start request
//   Once            create once (when newly set   keep              keep
//                   or on a Start request)
//   Manual          create on a Start request     keep              keep
//   Halted          nothing                       delete            delete (running too)
//   WaitAsReceiver  nothing (WaitingForReceiver)  keep              keep
//
// State change requests (status.stateChangeRequests, appended by `podvisor start|stop|
// restart` as KubeVirt's start/stop/restart subresources do) are served head first:
//   - Stop (uid: the VMI it means): delete that VMI; the request is consumed once no
//     VMI with that uid exists (a Stop for an older VMI is consumed at once).
//   - Start: create a VMI; consumed once a VMI that has not ended exists. A Start facing
//     an ended VMI deletes it first (a restart). Under Halted a Start is dropped: it can
//     never be served, and would otherwise fire later after a switch to Manual.
//   Restart is [Stop uid, Start].
//
// Crash-loop back-off (status.startFailure, for Always and RerunOnFailure): a VMI that
// fails before it ran `stable_after` counts one failure; no VMI is created before
// retryAfterTimestamp = failure time + 10 s × 2^(count-1), capped at 5 min, and the VM
// shows CrashLoopBackOff meanwhile. A VMI running for `stable_after` clears the record.
//
// A VM being deleted deletes its VMI (with the VMI's grace period) and never creates one.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/kubevirt/vm.hpp"
#include "kube/api/kubevirt/vmi.hpp"

namespace podvisor::actors::controller {

/// The crash-loop back-off of VM starts (KubeVirt: 10 s doubling up to 5 min).
struct vm_backoff_policy {
  std::chrono::seconds initial{10};
  std::chrono::seconds max{300};
  /// A VMI that ran this long is a success: its failure does not count, and the count
  /// of earlier failures is cleared.
  std::chrono::seconds stable_after{300};
};

/// The delay after `consecutive_failures` failed starts (0 → none).
std::chrono::seconds start_backoff(const vm_backoff_policy& policy, std::int32_t consecutive_failures);

/// Why a sync could not do its job: becomes the VM's Failure condition (and an Event).
struct vm_sync_failure {
  std::string reason;  ///< CamelCase: FailedCreate, FailedDelete, InvalidRunStrategy, ...
  std::string message; ///< human-readable detail
  bool operator==(const vm_sync_failure&) const = default;
};

/// A VMI to delete, with the uid as precondition so that a newer VMI of the same name
/// is never deleted by a decision taken on an older view.
struct vmi_deletion {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::optional<std::int64_t> grace_period_seconds; ///< nothing: the VMI's own default
  bool operator==(const vmi_deletion&) const = default;
};

/// The status the decision wants, as a change to apply to the latest VM read by the
/// status writer (apply_vm_status_change), not as a whole status: a request appended
/// by a client between our read and our write must survive.
struct vm_status_change {
  std::optional<podvisor::kube::api::run_strategy> run_strategy; ///< nothing: invalid, left as is
  podvisor::kube::api::vm_printable_status printable_status = podvisor::kube::api::vm_printable_status::stopped;
  bool created = false;
  bool ready = false;
  std::string ready_reason;  ///< of the Ready condition when not ready
  std::string ready_message;
  std::optional<podvisor::kube::api::vm_start_failure> start_failure;
  std::optional<vm_sync_failure> failure; ///< nothing: the Failure condition is removed
  /// Requests served: removed from the head of status.stateChangeRequests, each only
  /// if it is still there.
  std::vector<podvisor::kube::api::vm_state_change_request> consumed;
  /// Requests to add at the end (a Start after a RerunOnFailure failure).
  std::vector<podvisor::kube::api::vm_state_change_request> appended;
  bool operator==(const vm_status_change&) const = default;
};

/// What one sync of a VM sees.
struct vm_sync_input {
  const podvisor::kube::api::virtual_machine& vm;
  /// The VMI with the VM's name in the cache, or nullptr.
  const podvisor::kube::api::virtual_machine_instance* vmi = nullptr;
  std::chrono::system_clock::time_point now;
  vm_backoff_policy backoff{};
};

/// What one sync does.
struct vm_decision {
  std::optional<podvisor::kube::api::virtual_machine_instance> create; ///< VMI to create
  std::optional<vmi_deletion> remove;                        ///< VMI to delete
  vm_status_change status;
  /// Sync again after this long (a back-off expiring, a VMI becoming stable).
  std::optional<std::chrono::seconds> requeue_after;
  /// One line saying what was decided and why (for the log).
  std::string why;
};

/// Decides one sync of a VM.
vm_decision decide_vm(const vm_sync_input& in);

/// The VMI a VM creates: the template's metadata (labels, annotations) and spec, named
/// and namespaced like the VM, controlled by it (ownerReference with controller and
/// blockOwnerDeletion).
podvisor::kube::api::virtual_machine_instance vmi_from_template(const podvisor::kube::api::virtual_machine& vm);

/// True when `vmi` has a controller ownerReference to `vm` (by uid).
bool is_controlled_by(const podvisor::kube::api::virtual_machine_instance& vmi, const podvisor::kube::api::virtual_machine& vm);

/// Applies a decided change to the latest status (what the status writer re-applies on
/// every conflict). Conditions keep their lastTransitionTime while their status stays.
void apply_vm_status_change(const vm_status_change& change, podvisor::kube::api::vm_status& status,
                            std::chrono::system_clock::time_point now);

} // namespace podvisor::actors::controller
