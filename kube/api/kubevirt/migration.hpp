#pragma once
// kubevirt.io/v1 VirtualMachineInstanceMigration: a request to live-migrate one VMI, and
// the record of how that went.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/common.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/kubevirt/migration_state.hpp"
#include "kube/api/meta.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// VirtualMachineInstanceMigrationPhase. WaitingForSync and Synchronizing belong to
/// decentralized (cross-cluster) migrations.
enum class migration_phase {
  unset,
  pending,
  scheduling,
  scheduled,
  preparing_target,
  target_ready,
  running,
  succeeded,
  failed,
  waiting_for_sync,
  synchronizing,
};

template <>
struct enum_table<migration_phase> {
  static constexpr std::array entries = {
    enum_entry{migration_phase::unset, ""},
    enum_entry{migration_phase::pending, "Pending"},
    enum_entry{migration_phase::scheduling, "Scheduling"},
    enum_entry{migration_phase::scheduled, "Scheduled"},
    enum_entry{migration_phase::preparing_target, "PreparingTarget"},
    enum_entry{migration_phase::target_ready, "TargetReady"},
    enum_entry{migration_phase::running, "Running"},
    enum_entry{migration_phase::succeeded, "Succeeded"},
    enum_entry{migration_phase::failed, "Failed"},
    enum_entry{migration_phase::waiting_for_sync, "WaitingForSync"},
    enum_entry{migration_phase::synchronizing, "Synchronizing"},
  };
};

/// True for Succeeded and Failed.
inline bool is_final(migration_phase phase) {
  return phase == migration_phase::succeeded || phase == migration_phase::failed;
}

/// VirtualMachineInstanceMigrationConditionType (KubeVirt spells these in camelCase).
enum class migration_condition_type {
  abort_requested,
  rejected_by_resource_quota,
  blocked_by_utility_volumes,
  decentralized_migration_blocked,
  blocked_by_backup,
};

template <>
struct enum_table<migration_condition_type> {
  static constexpr std::array entries = {
    enum_entry{migration_condition_type::abort_requested, "migrationAbortRequested"},
    enum_entry{migration_condition_type::rejected_by_resource_quota, "migrationRejectedByResourceQuota"},
    enum_entry{migration_condition_type::blocked_by_utility_volumes, "migrationBlockedByUtilityVolumes"},
    enum_entry{migration_condition_type::decentralized_migration_blocked, "decentralizedMigrationBlocked"},
    enum_entry{migration_condition_type::blocked_by_backup, "migrationBlockedByBackup"},
  };
};

/// MigrationPriority.
enum class migration_priority { system_critical, user_triggered, system_maintenance };

template <>
struct enum_table<migration_priority> {
  static constexpr std::array entries = {
    enum_entry{migration_priority::system_critical, "system-critical"},
    enum_entry{migration_priority::user_triggered, "user-triggered"},
    enum_entry{migration_priority::system_maintenance, "system-maintenance"},
  };
};

/// VirtualMachineInstanceMigrationSpec. sendTo/receive (decentralized migration) are
/// carried as JSON.
struct migration_spec {
  std::string vmi_name;
  std::map<std::string, std::string> added_node_selector;
  std::optional<json> send_to;
  std::optional<json> receive;
  std::optional<enum_field<migration_priority>> priority;
  unknown_fields unknown;
  bool operator==(const migration_spec&) const = default;
};

template <class F>
void describe(F& f, migration_spec& x) {
  f("vmiName", x.vmi_name, {.doc = "Name of the VMI to migrate, in the migration's namespace. Required."});
  f("addedNodeSelector", x.added_node_selector,
    {.doc = "Extra node labels the target must have; the VMI's own constraints win on conflicts."});
  f("sendTo", x.send_to, {.doc = "Makes this the source side of a decentralized migration."});
  f("receive", x.receive, {.doc = "Makes this the target side of a decentralized migration."});
  f("priority", x.priority, {.doc = "system-critical, user-triggered or system-maintenance."});
}

/// VirtualMachineInstanceMigrationCondition.
struct migration_condition {
  enum_field<migration_condition_type> type;
  enum_field<condition_status> status;
  timestamp last_probe_time;
  timestamp last_transition_time;
  std::string reason;
  std::string message;
  unknown_fields unknown;
  bool operator==(const migration_condition&) const = default;
};

template <class F>
void describe(F& f, migration_condition& x) {
  f("type", x.type, {.required = true, .doc = "Condition type, e.g. migrationAbortRequested."});
  f("status", x.status, {.required = true, .doc = "True, False or Unknown."});
  f("lastProbeTime", x.last_probe_time, {.doc = "When the condition was last probed."});
  f("lastTransitionTime", x.last_transition_time, {.doc = "When the status last changed."});
  f("reason", x.reason, {.doc = "CamelCase reason for the last transition."});
  f("message", x.message, {.doc = "Human-readable detail of the last transition."});
}

/// VirtualMachineInstanceMigrationPhaseTransitionTimestamp.
struct migration_phase_transition {
  enum_field<migration_phase> phase;
  timestamp phase_transition_timestamp;
  unknown_fields unknown;
  bool operator==(const migration_phase_transition&) const = default;
};

template <class F>
void describe(F& f, migration_phase_transition& x) {
  f("phase", x.phase, {.doc = "Phase entered."});
  f("phaseTransitionTimestamp", x.phase_transition_timestamp, {.doc = "When the phase was entered."});
}

/// VirtualMachineInstanceMigrationStatus.
struct migration_status {
  enum_field<migration_phase> phase;
  std::vector<migration_condition> conditions;
  std::vector<migration_phase_transition> phase_transition_timestamps;
  std::optional<migration_state> migration_state_;
  std::vector<std::string> synchronization_addresses;
  unknown_fields unknown;
  bool operator==(const migration_status&) const = default;
};

template <class F>
void describe(F& f, migration_status& x) {
  f("phase", x.phase, {.doc = "Pending, Scheduling, Scheduled, PreparingTarget, TargetReady, Running, Succeeded or Failed."});
  f("conditions", x.conditions, {.doc = "Current conditions."});
  f("phaseTransitionTimestamps", x.phase_transition_timestamps, {.doc = "When each phase was entered."});
  f("migrationState", x.migration_state_, {.doc = "State of the migration, as in the VMI's status."});
  f("synchronizationAddresses", x.synchronization_addresses,
    {.doc = "Addresses of the synchronization controller (decentralized migration)."});
}

/// VirtualMachineInstanceMigration.
struct virtual_machine_instance_migration {
  std::string api_version = "kubevirt.io/v1";
  std::string kind = "VirtualMachineInstanceMigration";
  object_meta metadata;
  migration_spec spec;
  migration_status status;
  unknown_fields unknown;
  bool operator==(const virtual_machine_instance_migration&) const = default;
};

template <class F>
void describe(F& f, virtual_machine_instance_migration& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: kubevirt.io/v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: VirtualMachineInstanceMigration."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("spec", x.spec, {.required = true, .doc = "The VMI to migrate."});
  f("status", x.status, {.doc = "Observed state; written by the system."});
}

template <>
struct kind_info<virtual_machine_instance_migration> {
  static constexpr kind_descriptor value{.group = "kubevirt.io",
                                         .version = "v1",
                                         .kind = "VirtualMachineInstanceMigration",
                                         .list_kind = "VirtualMachineInstanceMigrationList",
                                         .plural = "virtualmachineinstancemigrations",
                                         .singular = "virtualmachineinstancemigration",
                                         .short_names = {"vmim", "vmims"},
                                         .namespaced = true,
                                         .has_status = true,
                                         .api_version_ = "kubevirt.io/v1"};
};

// The codec for the whole kind is compiled once, in migration.cpp: the type tree is large, and
// every user would otherwise instantiate it again.
extern template decoded<virtual_machine_instance_migration> decode<virtual_machine_instance_migration>(const json&);
extern template json encode<virtual_machine_instance_migration>(const virtual_machine_instance_migration&);
extern template json schema<virtual_machine_instance_migration>();

} // namespace podvisor::kube::api
