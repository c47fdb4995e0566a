#pragma once
// kubevirt.io/v1 VirtualMachineInstanceStatus: phase, conditions, where the VMI runs, its
// guest interfaces and the state of a running migration. Written by the system.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/common.hpp"
#include "kube/api/core/pod_status.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kubevirt/domain.hpp"
#include "kube/api/kubevirt/migration_state.hpp"
#include "kube/api/quantity.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// VirtualMachineInstancePhase. Scheduled is where the node agent takes over from the
/// controller; Succeeded and Failed are final.
enum class vmi_phase { unset, pending, scheduling, scheduled, running, succeeded, failed, waiting_for_sync, unknown };

template <>
struct enum_table<vmi_phase> {
  static constexpr std::array entries = {
    enum_entry{vmi_phase::unset, ""},
    enum_entry{vmi_phase::pending, "Pending"},
    enum_entry{vmi_phase::scheduling, "Scheduling"},
    enum_entry{vmi_phase::scheduled, "Scheduled"},
    enum_entry{vmi_phase::running, "Running"},
    enum_entry{vmi_phase::succeeded, "Succeeded"},
    enum_entry{vmi_phase::failed, "Failed"},
    enum_entry{vmi_phase::waiting_for_sync, "WaitingForSync"},
    enum_entry{vmi_phase::unknown, "Unknown"},
  };
};

/// True for Succeeded and Failed: nothing will run this VMI again.
inline bool is_final(vmi_phase phase) {
  return phase == vmi_phase::succeeded || phase == vmi_phase::failed;
}

/// VirtualMachineInstanceConditionType.
enum class vmi_condition_type {
  provisioning,
  ready,
  synchronized,
  paused,
  agent_connected,
  access_credentials_synchronized,
  agent_version_not_supported,
  live_migratable,
  hot_vcpu_change,
  hot_memory_change,
  volumes_change,
  data_volumes_ready,
  storage_live_migratable,
  decentralized_live_migration_failure,
  migration_required,
  eviction_requested,
  software_emulation,
};

template <>
struct enum_table<vmi_condition_type> {
  static constexpr std::array entries = {
    enum_entry{vmi_condition_type::provisioning, "Provisioning"},
    enum_entry{vmi_condition_type::ready, "Ready"},
    enum_entry{vmi_condition_type::synchronized, "Synchronized"},
    enum_entry{vmi_condition_type::paused, "Paused"},
    enum_entry{vmi_condition_type::agent_connected, "AgentConnected"},
    enum_entry{vmi_condition_type::access_credentials_synchronized, "AccessCredentialsSynchronized"},
    enum_entry{vmi_condition_type::agent_version_not_supported, "AgentVersionNotSupported"},
    enum_entry{vmi_condition_type::live_migratable, "LiveMigratable"},
    enum_entry{vmi_condition_type::hot_vcpu_change, "HotVCPUChange"},
    enum_entry{vmi_condition_type::hot_memory_change, "HotMemoryChange"},
    enum_entry{vmi_condition_type::volumes_change, "VolumesChange"},
    enum_entry{vmi_condition_type::data_volumes_ready, "DataVolumesReady"},
    enum_entry{vmi_condition_type::storage_live_migratable, "StorageLiveMigratable"},
    enum_entry{vmi_condition_type::decentralized_live_migration_failure, "DecentralizedLiveMigrationFailure"},
    enum_entry{vmi_condition_type::migration_required, "MigrationRequired"},
    enum_entry{vmi_condition_type::eviction_requested, "EvictionRequested"},
    enum_entry{vmi_condition_type::software_emulation, "SoftwareEmulation"},
  };
};

/// VirtualMachineInstanceMigrationMethod.
enum class migration_method { block_migration, live_migration };

template <>
struct enum_table<migration_method> {
  static constexpr std::array entries = {
    enum_entry{migration_method::block_migration, "BlockMigration"},
    enum_entry{migration_method::live_migration, "LiveMigration"},
  };
};

/// VirtualMachineInstanceMigrationTransport.
enum class migration_transport { unix_socket };

template <>
struct enum_table<migration_transport> {
  static constexpr std::array entries = {
    enum_entry{migration_transport::unix_socket, "Unix"},
  };
};

/// VirtualMachineInstanceCondition. The type keeps unknown spellings (newer versions add
/// types); the status is True, False or Unknown.
struct vmi_condition {
  enum_field<vmi_condition_type> type;
  enum_field<condition_status> status;
  timestamp last_probe_time;
  timestamp last_transition_time;
  std::string reason;
  std::string message;
  unknown_fields unknown;
  bool operator==(const vmi_condition&) const = default;
};

template <class F>
void describe(F& f, vmi_condition& x) {
  f("type", x.type, {.required = true, .doc = "Condition type: Ready, LiveMigratable, Paused, AgentConnected, ..."});
  f("status", x.status, {.required = true, .doc = "True, False or Unknown."});
  f("lastProbeTime", x.last_probe_time, {.doc = "When the condition was last probed."});
  f("lastTransitionTime", x.last_transition_time, {.doc = "When the status last changed."});
  f("reason", x.reason, {.doc = "CamelCase reason for the last transition."});
  f("message", x.message, {.doc = "Human-readable detail of the last transition."});
}

/// VirtualMachineInstancePhaseTransitionTimestamp.
struct vmi_phase_transition {
  enum_field<vmi_phase> phase;
  timestamp phase_transition_timestamp;
  unknown_fields unknown;
  bool operator==(const vmi_phase_transition&) const = default;
};

template <class F>
void describe(F& f, vmi_phase_transition& x) {
  f("phase", x.phase, {.doc = "Phase entered."});
  f("phaseTransitionTimestamp", x.phase_transition_timestamp, {.doc = "When the phase was entered."});
}

/// VirtualMachineInstanceNetworkInterface: a guest NIC as observed.
struct vmi_network_interface {
  std::string ip_address;
  std::string mac;
  std::string name;
  std::vector<std::string> ip_addresses;
  std::string pod_interface_name;
  std::string interface_name;
  std::string info_source;
  std::int32_t queue_count = 0;
  std::string link_state;
  unknown_fields unknown;
  bool operator==(const vmi_network_interface&) const = default;
};

template <class F>
void describe(F& f, vmi_network_interface& x) {
  f("ipAddress", x.ip_address, {.doc = "Primary IP address; the first of ipAddresses."});
  f("mac", x.mac, {.doc = "MAC address."});
  f("name", x.name, {.doc = "Name of the interface and its network in the spec."});
  f("ipAddresses", x.ip_addresses, {.doc = "Every IP address of the interface."});
  f("podInterfaceName", x.pod_interface_name, {.doc = "Name of the pod interface behind it."});
  f("interfaceName", x.interface_name, {.doc = "Name of the interface inside the guest."});
  f("infoSource", x.info_source, {.doc = "Where the data came from: domain, guest-agent, multus-status."});
  f("queueCount", x.queue_count, {.doc = "Queues allocated with multi-queue."});
  f("linkState", x.link_state, {.doc = "Operational link state: up or down."});
}

/// CPUTopology.
struct cpu_topology {
  std::uint32_t cores = 0;
  std::uint32_t sockets = 0;
  std::uint32_t threads = 0;
  unknown_fields unknown;
  bool operator==(const cpu_topology&) const = default;
};

template <class F>
void describe(F& f, cpu_topology& x) {
  f("cores", x.cores, {.doc = "Cores per socket."});
  f("sockets", x.sockets, {.doc = "Sockets."});
  f("threads", x.threads, {.doc = "Threads per core."});
}

/// MemoryStatus.
struct memory_status {
  std::optional<quantity> guest_at_boot;
  std::optional<quantity> guest_current;
  std::optional<quantity> guest_requested;
  unknown_fields unknown;
  bool operator==(const memory_status&) const = default;
};

template <class F>
void describe(F& f, memory_status& x) {
  f("guestAtBoot", x.guest_at_boot, {.doc = "Guest memory at boot."});
  f("guestCurrent", x.guest_current, {.doc = "Guest memory now."});
  f("guestRequested", x.guest_requested, {.doc = "Guest memory requested by hotplug."});
}

/// VirtualMachineInstanceStatus. Guest OS info, volume status and other detail reported
/// by components Podvisor does not have yet are carried as JSON.
struct vmi_status {
  std::string node_name;
  std::string reason;
  std::vector<vmi_condition> conditions;
  enum_field<vmi_phase> phase;
  std::vector<vmi_phase_transition> phase_transition_timestamps;
  std::vector<vmi_network_interface> interfaces;
  json guest_os_info;
  std::optional<migration_state> migration_state_;
  enum_field<migration_method> migration_method_;
  enum_field<migration_transport> migration_transport_;
  std::optional<enum_field<pod_qos_class>> qos_class;
  std::string launcher_container_image_version;
  std::string evacuation_node_name;
  std::map<std::string, std::string> active_pods;
  std::vector<json> volume_status;
  std::optional<json> kernel_boot_status;
  std::string fs_freeze_status;
  std::optional<json> topology_hints;
  std::string virtual_machine_revision_name;
  std::optional<std::uint64_t> runtime_user;
  std::optional<std::uint32_t> vsock_cid;
  std::string selinux_context;
  std::optional<domain_machine> machine;
  std::optional<cpu_topology> current_cpu_topology;
  std::optional<memory_status> memory;
  std::vector<json> migrated_volumes;
  std::optional<json> changed_block_tracking;
  unknown_fields unknown;
  bool operator==(const vmi_status&) const = default;
};

template <class F>
void describe(F& f, vmi_status& x) {
  f("nodeName", x.node_name, {.doc = "Node the VMI runs on."});
  f("reason", x.reason, {.doc = "CamelCase reason for the current state, e.g. NodeUnresponsive."});
  f("conditions", x.conditions, {.doc = "Current conditions."});
  f("phase", x.phase, {.doc = "Pending, Scheduling, Scheduled, Running, Succeeded, Failed, WaitingForSync or Unknown."});
  f("phaseTransitionTimestamps", x.phase_transition_timestamps, {.doc = "When each phase was entered."});
  f("interfaces", x.interfaces, {.doc = "Guest network interfaces as observed."});
  f("guestOSInfo", x.guest_os_info, {.doc = "Guest OS information from the guest agent."});
  f("migrationState", x.migration_state_, {.doc = "State of the current or last live migration."});
  f("migrationMethod", x.migration_method_, {.doc = "LiveMigration or BlockMigration (disks copied too)."});
  f("migrationTransport", x.migration_transport_, {.doc = "Transport used for migration."});
  f("qosClass", x.qos_class, {.doc = "QoS class of the launcher pod: Guaranteed, Burstable or BestEffort."});
  f("launcherContainerImageVersion", x.launcher_container_image_version, {.doc = "Launcher image in use."});
  f("evacuationNodeName", x.evacuation_node_name, {.doc = "Node being evacuated; set by the system only."});
  f("activePods", x.active_pods, {.doc = "Launcher pods by UID, with their nodes; two during a migration."});
  f("volumeStatus", x.volume_status, {.doc = "Status of each volume."});
  f("kernelBootStatus", x.kernel_boot_status, {.doc = "Kernel boot container information."});
  f("fsFreezeStatus", x.fs_freeze_status, {.doc = "frozen while a guest filesystem freeze is requested."});
  f("topologyHints", x.topology_hints, {.doc = "Hints for scheduling, e.g. the TSC frequency."});
  f("virtualMachineRevisionName", x.virtual_machine_revision_name, {.doc = "VM revision the VMI was made from."});
  f("runtimeUser", x.runtime_user, {.doc = "User the launcher runs the guest as."});
  f("VSOCKCID", x.vsock_cid, {.doc = "VSOCK context id allocated to the guest."});
  f("selinuxContext", x.selinux_context, {.doc = "SELinux context of the launcher pod."});
  f("machine", x.machine, {.doc = "Machine type QEMU actually used (aliases resolved)."});
  f("currentCPUTopology", x.current_cpu_topology, {.doc = "CPU topology in use (differs during hotplug)."});
  f("memory", x.memory, {.doc = "Guest memory as booted, current and requested."});
  f("migratedVolumes", x.migrated_volumes, {.doc = "Source and destination of volumes being migrated."});
  f("changedBlockTracking", x.changed_block_tracking, {.doc = "Changed block tracking status."});
}

} // namespace podvisor::kube::api
