#pragma once
// kubevirt.io/v1 VirtualMachine: the durable object behind a VMI. Its run strategy says
// when a VMI should exist; its template says what the VMI looks like.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/common.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/api/meta.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// VirtualMachineRunStrategy.
enum class run_strategy { always, halted, manual, rerun_on_failure, once, wait_as_receiver };

template <>
struct enum_table<run_strategy> {
  static constexpr std::array entries = {
    enum_entry{run_strategy::always, "Always"},
    enum_entry{run_strategy::halted, "Halted"},
    enum_entry{run_strategy::manual, "Manual"},
    enum_entry{run_strategy::rerun_on_failure, "RerunOnFailure"},
    enum_entry{run_strategy::once, "Once"},
    enum_entry{run_strategy::wait_as_receiver, "WaitAsReceiver"},
  };
};

/// VirtualMachinePrintableStatus: the one-word state `kubectl get vm` shows.
enum class vm_printable_status {
  stopped,
  provisioning,
  starting,
  running,
  paused,
  stopping,
  terminating,
  crash_loop_back_off,
  migrating,
  unknown,
  error_unschedulable,
  err_image_pull,
  image_pull_back_off,
  error_pvc_not_found,
  data_volume_error,
  waiting_for_volume_binding,
  waiting_for_receiver,
};

template <>
struct enum_table<vm_printable_status> {
  static constexpr std::array entries = {
    enum_entry{vm_printable_status::stopped, "Stopped"},
    enum_entry{vm_printable_status::provisioning, "Provisioning"},
    enum_entry{vm_printable_status::starting, "Starting"},
    enum_entry{vm_printable_status::running, "Running"},
    enum_entry{vm_printable_status::paused, "Paused"},
    enum_entry{vm_printable_status::stopping, "Stopping"},
    enum_entry{vm_printable_status::terminating, "Terminating"},
    enum_entry{vm_printable_status::crash_loop_back_off, "CrashLoopBackOff"},
    enum_entry{vm_printable_status::migrating, "Migrating"},
    enum_entry{vm_printable_status::unknown, "Unknown"},
    enum_entry{vm_printable_status::error_unschedulable, "ErrorUnschedulable"},
    enum_entry{vm_printable_status::err_image_pull, "ErrImagePull"},
    enum_entry{vm_printable_status::image_pull_back_off, "ImagePullBackOff"},
    enum_entry{vm_printable_status::error_pvc_not_found, "ErrorPvcNotFound"},
    enum_entry{vm_printable_status::data_volume_error, "DataVolumeError"},
    enum_entry{vm_printable_status::waiting_for_volume_binding, "WaitingForVolumeBinding"},
    enum_entry{vm_printable_status::waiting_for_receiver, "WaitingForReceiver"},
  };
};

/// VirtualMachineConditionType.
enum class vm_condition_type { failure, ready, paused, restart_required, manual_recovery_required };

template <>
struct enum_table<vm_condition_type> {
  static constexpr std::array entries = {
    enum_entry{vm_condition_type::failure, "Failure"},
    enum_entry{vm_condition_type::ready, "Ready"},
    enum_entry{vm_condition_type::paused, "Paused"},
    enum_entry{vm_condition_type::restart_required, "RestartRequired"},
    enum_entry{vm_condition_type::manual_recovery_required, "ManualRecoveryRequired"},
  };
};

/// StateChangeRequestAction.
enum class state_change_action { start, stop };

template <>
struct enum_table<state_change_action> {
  static constexpr std::array entries = {
    enum_entry{state_change_action::start, "Start"},
    enum_entry{state_change_action::stop, "Stop"},
  };
};

/// UpdateVolumesStrategy.
enum class update_volumes_strategy { migration, replacement };

template <>
struct enum_table<update_volumes_strategy> {
  static constexpr std::array entries = {
    enum_entry{update_volumes_strategy::migration, "Migration"},
    enum_entry{update_volumes_strategy::replacement, "Replacement"},
  };
};

/// VirtualMachineInstanceTemplateSpec: the VMI a VM creates.
struct vmi_template_spec {
  object_meta metadata;
  vmi_spec spec;
  unknown_fields unknown;
  bool operator==(const vmi_template_spec&) const = default;
};

template <class F>
void describe(F& f, vmi_template_spec& x) {
  f("metadata", x.metadata, {.doc = "Labels and annotations for the VMI."});
  f("spec", x.spec, {.doc = "Spec of the VMI."});
}

/// VirtualMachineSpec. `running` is deprecated and mutually exclusive with runStrategy.
/// Instance types, preferences and DataVolume templates are carried as JSON.
struct vm_spec {
  std::optional<bool> running;
  std::optional<enum_field<run_strategy>> run_strategy_;
  std::optional<json> instancetype;
  std::optional<json> preference;
  std::optional<vmi_template_spec> template_;
  std::vector<json> data_volume_templates;
  std::optional<enum_field<update_volumes_strategy>> update_volumes_strategy_;
  unknown_fields unknown;
  bool operator==(const vm_spec&) const = default;
};

template <class F>
void describe(F& f, vm_spec& x) {
  f("running", x.running, {.doc = "Deprecated: use runStrategy. true is Always, false is Halted."});
  f("runStrategy", x.run_strategy_,
    {.doc = "When a VMI should exist: Always, RerunOnFailure, Once, Manual, Halted or WaitAsReceiver."});
  f("instancetype", x.instancetype, {.doc = "Instance type that fills in the template."});
  f("preference", x.preference, {.doc = "Preference that fills in the template."});
  // Written even when absent (as null), as KubeVirt does: the field is required.
  f("template", x.template_, {.required = true, .doc = "The VMI to create."});
  f("dataVolumeTemplates", x.data_volume_templates, {.doc = "DataVolumes created with the VM and owned by it."});
  f("updateVolumesStrategy", x.update_volumes_strategy_, {.doc = "How volume changes reach a running VMI."});
}

/// The run strategy in effect, as KubeVirt derives it: `running` maps to Always (true) or
/// Halted (false); neither set means Halted. Nothing when both are set (invalid) or the
/// run strategy is not a known value.
inline std::optional<run_strategy> effective_run_strategy(const vm_spec& spec) {
  if (spec.running && spec.run_strategy_)
    return std::nullopt;
  if (spec.running)
    return *spec.running ? run_strategy::always : run_strategy::halted;
  if (spec.run_strategy_)
    return spec.run_strategy_->value();
  return run_strategy::halted;
}

/// VirtualMachineCondition.
struct vm_condition {
  enum_field<vm_condition_type> type;
  enum_field<condition_status> status;
  timestamp last_probe_time;
  timestamp last_transition_time;
  std::string reason;
  std::string message;
  unknown_fields unknown;
  bool operator==(const vm_condition&) const = default;
};

template <class F>
void describe(F& f, vm_condition& x) {
  f("type", x.type, {.required = true, .doc = "Failure, Ready, Paused, RestartRequired or ManualRecoveryRequired."});
  f("status", x.status, {.required = true, .doc = "True, False or Unknown."});
  f("lastProbeTime", x.last_probe_time, {.doc = "When the condition was last probed."});
  f("lastTransitionTime", x.last_transition_time, {.doc = "When the status last changed."});
  f("reason", x.reason, {.doc = "CamelCase reason for the last transition."});
  f("message", x.message, {.doc = "Human-readable detail of the last transition."});
}

/// VirtualMachineStateChangeRequest: a pending start or stop (from the subresources).
struct vm_state_change_request {
  enum_field<state_change_action> action;
  std::map<std::string, std::string> data;
  std::optional<std::string> uid;
  unknown_fields unknown;
  bool operator==(const vm_state_change_request&) const = default;
};

template <class F>
void describe(F& f, vm_state_change_request& x) {
  f("action", x.action, {.required = true, .doc = "Start or Stop."});
  f("data", x.data, {.doc = "Extra data for the action, e.g. paused: \"true\"."});
  f("uid", x.uid, {.doc = "UID of the VMI the request applies to."});
}

/// VirtualMachineStartFailure: consecutive failed starts, for crash-loop back-off.
struct vm_start_failure {
  std::int32_t consecutive_fail_count = 0;
  std::string last_failed_vmi_uid;
  std::optional<timestamp> retry_after_timestamp;
  unknown_fields unknown;
  bool operator==(const vm_start_failure&) const = default;
};

template <class F>
void describe(F& f, vm_start_failure& x) {
  f("consecutiveFailCount", x.consecutive_fail_count, {.doc = "Failed starts in a row."});
  f("lastFailedVMIUID", x.last_failed_vmi_uid, {.doc = "UID of the VMI that failed last."});
  f("retryAfterTimestamp", x.retry_after_timestamp, {.doc = "No new VMI before this time."});
}

/// VirtualMachineStatus.
struct vm_status {
  std::optional<std::string> snapshot_in_progress;
  std::optional<std::string> restore_in_progress;
  bool created = false;
  bool ready = false;
  enum_field<vm_printable_status> printable_status;
  std::vector<vm_condition> conditions;
  std::vector<vm_state_change_request> state_change_requests;
  std::vector<json> volume_requests;
  std::vector<json> volume_snapshot_statuses;
  std::optional<vm_start_failure> start_failure;
  std::optional<json> memory_dump_request;
  std::int64_t observed_generation = 0;
  std::int64_t desired_generation = 0;
  enum_field<run_strategy> run_strategy_;
  std::optional<json> volume_update_state;
  std::optional<json> changed_block_tracking;
  std::optional<json> instancetype_ref;
  std::optional<json> preference_ref;
  unknown_fields unknown;
  bool operator==(const vm_status&) const = default;
};

template <class F>
void describe(F& f, vm_status& x) {
  f("snapshotInProgress", x.snapshot_in_progress, {.doc = "Snapshot being taken."});
  f("restoreInProgress", x.restore_in_progress, {.doc = "Restore being done."});
  f("created", x.created, {.doc = "A VMI exists."});
  f("ready", x.ready, {.doc = "The VMI is running and ready."});
  f("printableStatus", x.printable_status, {.doc = "One-word state: Stopped, Starting, Running, Migrating, ..."});
  f("conditions", x.conditions, {.doc = "Current conditions."});
  f("stateChangeRequests", x.state_change_requests, {.doc = "Pending start and stop requests."});
  f("volumeRequests", x.volume_requests, {.doc = "Pending volume hotplug and unplug requests."});
  f("volumeSnapshotStatuses", x.volume_snapshot_statuses, {.doc = "Whether each volume can be snapshotted."});
  f("startFailure", x.start_failure, {.doc = "Consecutive start failures, for back-off."});
  f("memoryDumpRequest", x.memory_dump_request, {.doc = "Memory dump in progress."});
  f("observedGeneration", x.observed_generation, {.doc = "Generation the running VMI was made from."});
  f("desiredGeneration", x.desired_generation, {.doc = "Generation the VMI should match."});
  f("runStrategy", x.run_strategy_, {.doc = "Run strategy last acted on."});
  f("volumeUpdateState", x.volume_update_state, {.doc = "State of volume updates."});
  f("changedBlockTracking", x.changed_block_tracking, {.doc = "Changed block tracking status."});
  f("instancetypeRef", x.instancetype_ref, {.doc = "Instance type captured for this VM."});
  f("preferenceRef", x.preference_ref, {.doc = "Preference captured for this VM."});
}

/// VirtualMachine.
struct virtual_machine {
  std::string api_version = "kubevirt.io/v1";
  std::string kind = "VirtualMachine";
  object_meta metadata;
  vm_spec spec;
  vm_status status;
  unknown_fields unknown;
  bool operator==(const virtual_machine&) const = default;
};

template <class F>
void describe(F& f, virtual_machine& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: kubevirt.io/v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: VirtualMachine."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("spec", x.spec, {.required = true, .doc = "Run strategy and VMI template."});
  f("status", x.status, {.doc = "Observed state; written by the system."});
}

template <>
struct kind_info<virtual_machine> {
  static constexpr kind_descriptor value{.group = "kubevirt.io",
                                         .version = "v1",
                                         .kind = "VirtualMachine",
                                         .list_kind = "VirtualMachineList",
                                         .plural = "virtualmachines",
                                         .singular = "virtualmachine",
                                         .short_names = {"vm", "vms"},
                                         .namespaced = true,
                                         .has_status = true,
                                         .api_version_ = "kubevirt.io/v1"};
};

// The codec for the whole kind is compiled once, in vm.cpp: the type tree is large, and
// every user would otherwise instantiate it again.
extern template decoded<virtual_machine> decode<virtual_machine>(const json&);
extern template json encode<virtual_machine>(const virtual_machine&);
extern template json schema<virtual_machine>();

} // namespace podvisor::kube::api
