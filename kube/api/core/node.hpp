#pragma once
// core/v1 Node: a machine that runs pods. Cluster-scoped.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/common.hpp"
#include "kube/api/core/scheduling.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/meta.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// core/v1 NodePhase (deprecated upstream and never set by kubelets; kept for old objects).
enum class node_phase { pending, running, terminated };

template <>
struct enum_table<node_phase> {
  static constexpr std::array entries = {
    enum_entry{node_phase::pending, "Pending"},
    enum_entry{node_phase::running, "Running"},
    enum_entry{node_phase::terminated, "Terminated"},
  };
};

/// core/v1 NodeAddressType.
enum class node_address_type { hostname, internal_ip, external_ip, internal_dns, external_dns };

template <>
struct enum_table<node_address_type> {
  static constexpr std::array entries = {
    enum_entry{node_address_type::hostname, "Hostname"},
    enum_entry{node_address_type::internal_ip, "InternalIP"},
    enum_entry{node_address_type::external_ip, "ExternalIP"},
    enum_entry{node_address_type::internal_dns, "InternalDNS"},
    enum_entry{node_address_type::external_dns, "ExternalDNS"},
  };
};

/// core/v1 NodeSpec.
struct node_spec {
  std::string pod_cidr;
  std::vector<std::string> pod_cidrs;
  std::string provider_id;
  bool unschedulable = false;
  std::vector<taint> taints;
  unknown_fields unknown;
  bool operator==(const node_spec&) const = default;
};

template <class F>
void describe(F& f, node_spec& x) {
  f("podCIDR", x.pod_cidr, {.doc = "Pod IP range assigned to the node."});
  f("podCIDRs", x.pod_cidrs, {.doc = "Pod IP ranges, at most one per family; the first equals podCIDR."});
  f("providerID", x.provider_id, {.doc = "ID of the node at its infrastructure provider."});
  f("unschedulable", x.unschedulable, {.doc = "Keep new pods off the node (cordon)."});
  f("taints", x.taints, {.doc = "Taints that repel pods not tolerating them."});
}

/// core/v1 NodeCondition. The type stays a string: node problem detectors add their own.
struct node_condition {
  std::string type;
  enum_field<condition_status> status;
  timestamp last_heartbeat_time;
  timestamp last_transition_time;
  std::string reason;
  std::string message;
  unknown_fields unknown;
  bool operator==(const node_condition&) const = default;
};

template <class F>
void describe(F& f, node_condition& x) {
  f("type", x.type, {.required = true, .doc = "Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable, ..."});
  f("status", x.status, {.required = true, .doc = "True, False or Unknown."});
  f("lastHeartbeatTime", x.last_heartbeat_time, {.doc = "When the node agent last reported the condition."});
  f("lastTransitionTime", x.last_transition_time, {.doc = "When the status last changed."});
  f("reason", x.reason, {.doc = "CamelCase reason for the last transition."});
  f("message", x.message, {.doc = "Human-readable detail of the last transition."});
}

/// core/v1 NodeAddress.
struct node_address {
  enum_field<node_address_type> type;
  std::string address;
  unknown_fields unknown;
  bool operator==(const node_address&) const = default;
};

template <class F>
void describe(F& f, node_address& x) {
  f("type", x.type, {.required = true, .doc = "Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS."});
  f("address", x.address, {.required = true, .doc = "The address."});
}

/// core/v1 NodeSystemInfo: every field is always written, as in Go.
struct node_system_info {
  std::string machine_id;
  std::string system_uuid;
  std::string boot_id;
  std::string kernel_version;
  std::string os_image;
  std::string container_runtime_version;
  std::string kubelet_version;
  std::string kube_proxy_version;
  std::string operating_system;
  std::string architecture;
  unknown_fields unknown;
  bool operator==(const node_system_info&) const = default;
};

template <class F>
void describe(F& f, node_system_info& x) {
  f("machineID", x.machine_id, {.required = true, .doc = "/etc/machine-id of the node."});
  f("systemUUID", x.system_uuid, {.required = true, .doc = "SMBIOS system UUID."});
  f("bootID", x.boot_id, {.required = true, .doc = "ID of the current boot."});
  f("kernelVersion", x.kernel_version, {.required = true, .doc = "Kernel release (uname -r)."});
  f("osImage", x.os_image, {.required = true, .doc = "PRETTY_NAME from /etc/os-release."});
  f("containerRuntimeVersion", x.container_runtime_version,
    {.required = true, .doc = "Runtime name and version, <name>://<version>."});
  f("kubeletVersion", x.kubelet_version, {.required = true, .doc = "Version of the node agent."});
  f("kubeProxyVersion", x.kube_proxy_version, {.required = true, .doc = "Version of the service proxy, if any."});
  f("operatingSystem", x.operating_system, {.required = true, .doc = "GOOS-style OS name: linux."});
  f("architecture", x.architecture, {.required = true, .doc = "GOARCH-style architecture: amd64, arm64, ..."});
}

/// core/v1 NodeStatus.
struct node_status {
  resource_list capacity;
  resource_list allocatable;
  enum_field<node_phase> phase;
  std::vector<node_condition> conditions;
  std::vector<node_address> addresses;
  /// Optional here (a plain struct in Go) so that a node written without it reads back
  /// without a block of empty strings.
  std::optional<node_system_info> node_info;
  unknown_fields unknown; // daemonEndpoints, images, volumesInUse, ...
  bool operator==(const node_status&) const = default;
};

template <class F>
void describe(F& f, node_status& x) {
  f("capacity", x.capacity, {.doc = "Total resources of the node."});
  f("allocatable", x.allocatable, {.doc = "Resources available to pods; capacity minus reservations."});
  f("phase", x.phase, {.doc = "Deprecated lifecycle phase; not set by current node agents."});
  f("conditions", x.conditions, {.doc = "Observed node conditions."});
  f("addresses", x.addresses, {.doc = "Addresses the node is reachable at."});
  f("nodeInfo", x.node_info, {.doc = "Identity and software versions of the node."});
}

/// core/v1 Node.
struct node {
  std::string api_version = "v1";
  std::string kind = "Node";
  object_meta metadata;
  node_spec spec;
  node_status status;
  unknown_fields unknown;
  bool operator==(const node&) const = default;
};

template <class F>
void describe(F& f, node& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: Node."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("spec", x.spec, {.doc = "Desired configuration of the node."});
  f("status", x.status, {.doc = "Observed state of the node; written by its agent."});
}

template <>
struct kind_info<node> {
  static constexpr kind_descriptor value{.group = "",
                                         .version = "v1",
                                         .kind = "Node",
                                         .list_kind = "NodeList",
                                         .plural = "nodes",
                                         .singular = "node",
                                         .short_names = {"no"},
                                         .namespaced = false,
                                         .has_status = true,
                                         .api_version_ = "v1"};
};

} // namespace podvisor::kube::api
