#pragma once
// kubevirt.io/v1 VirtualMachineInstanceMigrationState: the progress of a live migration
// as recorded in the VMI's status (and mirrored in the migration's status).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/quantity.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// MigrationAbortStatus.
enum class migration_abort_status { succeeded, failed, aborting };

template <>
struct enum_table<migration_abort_status> {
  static constexpr std::array entries = {
    enum_entry{migration_abort_status::succeeded, "Succeeded"},
    enum_entry{migration_abort_status::failed, "Failed"},
    enum_entry{migration_abort_status::aborting, "Aborting"},
  };
};

/// MigrationMode: how memory is being moved.
enum class migration_mode { pre_copy, post_copy, paused };

template <>
struct enum_table<migration_mode> {
  static constexpr std::array entries = {
    enum_entry{migration_mode::pre_copy, "PreCopy"},
    enum_entry{migration_mode::post_copy, "PostCopy"},
    enum_entry{migration_mode::paused, "Paused"},
  };
};

/// MigrationNetworkType: which network carries the migration traffic.
enum class migration_network_type { pod, migration };

template <>
struct enum_table<migration_network_type> {
  static constexpr std::array entries = {
    enum_entry{migration_network_type::pod, "Pod"},
    enum_entry{migration_network_type::migration, "Migration"},
  };
};

/// VirtualMachineInstanceMigrationState. The per-side states of decentralized
/// (cross-cluster) migrations and the applied configuration are carried as JSON.
struct migration_state {
  std::optional<timestamp> start_timestamp;
  std::optional<timestamp> end_timestamp;
  std::optional<timestamp> target_node_domain_ready_timestamp;
  bool target_node_domain_detected = false;
  std::string target_node_address;
  std::map<std::string, std::int32_t> target_direct_migration_node_ports;
  std::string target_node;
  std::string target_pod;
  std::string target_attachment_pod_uid;
  std::string source_node;
  std::string source_pod;
  bool completed = false;
  bool failed = false;
  bool abort_requested = false;
  enum_field<migration_abort_status> abort_status;
  std::string failure_reason;
  std::string migration_uid;
  enum_field<migration_mode> mode;
  std::optional<std::string> migration_policy_name;
  std::optional<json> migration_configuration;
  std::vector<std::int32_t> target_cpu_set;
  std::string target_node_topology;
  std::string source_persistent_state_pvc_name;
  std::string target_persistent_state_pvc_name;
  std::optional<json> source_state;
  std::optional<json> target_state;
  enum_field<migration_network_type> migration_network_type_;
  std::optional<quantity> target_memory_overhead;
  unknown_fields unknown;
  bool operator==(const migration_state&) const = default;
};

template <class F>
void describe(F& f, migration_state& x) {
  f("startTimestamp", x.start_timestamp, {.doc = "When the migration began."});
  f("endTimestamp", x.end_timestamp, {.doc = "When the migration ended."});
  f("targetNodeDomainReadyTimestamp", x.target_node_domain_ready_timestamp,
    {.doc = "When the target node saw the domain become active."});
  f("targetNodeDomainDetected", x.target_node_domain_detected, {.doc = "The target node has seen the domain start."});
  f("targetNodeAddress", x.target_node_address, {.doc = "Address of the target node's migration endpoint."});
  f("targetDirectMigrationNodePorts", x.target_direct_migration_node_ports,
    {.doc = "Ports opened on the target node for this migration, by port and purpose."});
  f("targetNode", x.target_node, {.doc = "Node the VMI moves to."});
  f("targetPod", x.target_pod, {.doc = "Launcher pod the VMI moves to."});
  f("targetAttachmentPodUID", x.target_attachment_pod_uid, {.doc = "UID of the target's hotplug attachment pod."});
  f("sourceNode", x.source_node, {.doc = "Node the VMI moves from."});
  f("sourcePod", x.source_pod, {.doc = "Launcher pod the VMI moves from."});
  f("completed", x.completed, {.doc = "The migration finished."});
  f("failed", x.failed, {.doc = "The migration failed."});
  f("abortRequested", x.abort_requested, {.doc = "An abort was requested."});
  f("abortStatus", x.abort_status, {.doc = "Outcome of an abort: Aborting, Succeeded or Failed."});
  f("failureReason", x.failure_reason, {.doc = "Why the migration failed."});
  f("migrationUid", x.migration_uid, {.doc = "UID of the VirtualMachineInstanceMigration."});
  f("mode", x.mode, {.doc = "PreCopy, PostCopy or Paused."});
  f("migrationPolicyName", x.migration_policy_name, {.doc = "Migration policy that matched, if any."});
  f("migrationConfiguration", x.migration_configuration, {.doc = "The migration settings in effect."});
  f("targetCPUSet", x.target_cpu_set, {.doc = "Dedicated host CPUs on the target."});
  f("targetNodeTopology", x.target_node_topology, {.doc = "NUMA topology of the target, for dedicated CPUs."});
  f("sourcePersistentStatePVCName", x.source_persistent_state_pvc_name, {.doc = "Claim holding persistent state on the source."});
  f("targetPersistentStatePVCName", x.target_persistent_state_pvc_name, {.doc = "Claim holding persistent state on the target."});
  f("sourceState", x.source_state, {.doc = "State kept by the source node agent (decentralized migration)."});
  f("targetState", x.target_state, {.doc = "State kept by the target node agent (decentralized migration)."});
  f("migrationNetworkType", x.migration_network_type_, {.doc = "Network carrying the traffic: Pod or Migration."});
  f("targetMemoryOverhead", x.target_memory_overhead, {.doc = "Memory overhead of the target launcher pod."});
}

} // namespace podvisor::kube::api
