#pragma once
// kubevirt.io/v1 VirtualMachineInstance: one running (or about to run) virtual machine.
// The spec is the desired guest; the status (vmi_status.hpp) is what the system observed.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/api/core/scheduling.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/kubevirt/domain.hpp"
#include "kube/api/kubevirt/networks.hpp"
#include "kube/api/kubevirt/vmi_status.hpp"
#include "kube/api/kubevirt/volumes.hpp"
#include "kube/api/meta.hpp"

namespace podvisor::kube::api {

/// EvictionStrategy: what a node drain does to the VMI.
enum class eviction_strategy { none, live_migrate, live_migrate_if_possible, external };

template <>
struct enum_table<eviction_strategy> {
  static constexpr std::array entries = {
    enum_entry{eviction_strategy::none, "None"},
    enum_entry{eviction_strategy::live_migrate, "LiveMigrate"},
    enum_entry{eviction_strategy::live_migrate_if_possible, "LiveMigrateIfPossible"},
    enum_entry{eviction_strategy::external, "External"},
  };
};

/// StartStrategy.
enum class start_strategy { paused };

template <>
struct enum_table<start_strategy> {
  static constexpr std::array entries = {
    enum_entry{start_strategy::paused, "Paused"},
  };
};

/// Probe: a liveness or readiness check run against the guest. The actions keep core/v1
/// shapes (exec, httpGet, tcpSocket) or KubeVirt's guestAgentPing and are carried as JSON.
struct vm_probe {
  std::optional<json> exec;
  std::optional<json> guest_agent_ping;
  std::optional<json> http_get;
  std::optional<json> tcp_socket;
  std::int32_t initial_delay_seconds = 0;
  std::int32_t timeout_seconds = 0;
  std::int32_t period_seconds = 0;
  std::int32_t success_threshold = 0;
  std::int32_t failure_threshold = 0;
  unknown_fields unknown;
  bool operator==(const vm_probe&) const = default;
};

template <class F>
void describe(F& f, vm_probe& x) {
  f("exec", x.exec, {.doc = "Command run in the guest through the guest agent."});
  f("guestAgentPing", x.guest_agent_ping, {.doc = "Ping the guest agent."});
  f("httpGet", x.http_get, {.doc = "HTTP GET against the guest."});
  f("tcpSocket", x.tcp_socket, {.doc = "TCP connect to the guest."});
  f("initialDelaySeconds", x.initial_delay_seconds, {.doc = "Seconds after start before the first probe."});
  f("timeoutSeconds", x.timeout_seconds, {.doc = "Seconds before a probe times out; defaults to 1."});
  f("periodSeconds", x.period_seconds, {.doc = "Seconds between probes; defaults to 10."});
  f("successThreshold", x.success_threshold, {.doc = "Successes in a row to pass after a failure; defaults to 1."});
  f("failureThreshold", x.failure_threshold, {.doc = "Failures in a row to fail; defaults to 3."});
}

/// VirtualMachineInstanceSpec.
struct vmi_spec {
  std::string priority_class_name;
  domain_spec domain;
  std::map<std::string, std::string> node_selector;
  std::optional<affinity> affinity_;
  std::string scheduler_name;
  std::string service_account_name;
  std::vector<toleration> tolerations;
  std::vector<json> topology_spread_constraints;
  std::optional<enum_field<eviction_strategy>> eviction_strategy_;
  std::optional<enum_field<start_strategy>> start_strategy_;
  std::optional<std::int64_t> termination_grace_period_seconds;
  std::vector<vmi_volume> volumes;
  std::optional<vm_probe> liveness_probe;
  std::optional<vm_probe> readiness_probe;
  std::string hostname;
  std::string subdomain;
  std::vector<network> networks;
  enum_field<dns_policy> dns_policy_;
  std::optional<json> dns_config;
  std::vector<json> access_credentials;
  std::string architecture;
  std::vector<json> resource_claims;
  std::vector<json> utility_volumes;
  unknown_fields unknown;
  bool operator==(const vmi_spec&) const = default;
};

template <class F>
void describe(F& f, vmi_spec& x) {
  f("priorityClassName", x.priority_class_name, {.doc = "Priority class of the launcher pod."});
  f("domain", x.domain, {.required = true, .doc = "The virtual hardware."});
  f("nodeSelector", x.node_selector, {.doc = "Labels a node must have to run the VMI."});
  f("affinity", x.affinity_, {.doc = "Scheduling constraints on nodes and neighbouring pods."});
  f("schedulerName", x.scheduler_name, {.doc = "Scheduler responsible for the launcher pod."});
  f("serviceAccountName", x.service_account_name,
    {.doc = "Service account of the launcher pod (not shown to the guest; use a serviceAccount volume)."});
  f("tolerations", x.tolerations, {.doc = "Taints the launcher pod tolerates."});
  f("topologySpreadConstraints", x.topology_spread_constraints, {.doc = "How VMIs spread across topology domains."});
  f("evictionStrategy", x.eviction_strategy_,
    {.doc = "On node drain: None, LiveMigrate, LiveMigrateIfPossible or External; defaults to the cluster setting."});
  f("startStrategy", x.start_strategy_, {.doc = "Paused starts the guest paused."});
  f("terminationGracePeriodSeconds", x.termination_grace_period_seconds,
    {.doc = "Seconds the guest gets to shut down after being asked before it is powered off."});
  f("volumes", x.volumes, {.doc = "Volumes the disks and filesystems use, at most 256."});
  f("livenessProbe", x.liveness_probe, {.doc = "Stop the VMI when this probe fails."});
  f("readinessProbe", x.readiness_probe, {.doc = "Remove the VMI from service endpoints while this probe fails."});
  f("hostname", x.hostname, {.doc = "Guest hostname (through DHCP or cloud-init); defaults to the VMI name."});
  f("subdomain", x.subdomain, {.doc = "With a headless service of this name: <hostname>.<subdomain>.<namespace>.svc."});
  f("networks", x.networks, {.doc = "Networks the interfaces connect to, at most 256."});
  f("dnsPolicy", x.dns_policy_, {.doc = "DNS policy of the launcher pod; ClusterFirst by default."});
  f("dnsConfig", x.dns_config, {.doc = "Extra DNS settings of the launcher pod."});
  f("accessCredentials", x.access_credentials, {.doc = "SSH keys and passwords to put into the guest."});
  f("architecture", x.architecture, {.doc = "Guest architecture: amd64, arm64 or s390x; defaults to the cluster's."});
  f("resourceClaims", x.resource_claims, {.doc = "Dynamic resource claims for the launcher pod."});
  f("utilityVolumes", x.utility_volumes, {.doc = "Claims mounted into the launcher pod only (dumps, backups)."});
}

/// VirtualMachineInstance.
struct virtual_machine_instance {
  std::string api_version = "kubevirt.io/v1";
  std::string kind = "VirtualMachineInstance";
  object_meta metadata;
  vmi_spec spec;
  vmi_status status;
  unknown_fields unknown;
  bool operator==(const virtual_machine_instance&) const = default;
};

template <class F>
void describe(F& f, virtual_machine_instance& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: kubevirt.io/v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: VirtualMachineInstance."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("spec", x.spec, {.required = true, .doc = "The desired virtual machine."});
  f("status", x.status, {.doc = "Observed state; written by the system."});
}

template <>
struct kind_info<virtual_machine_instance> {
  static constexpr kind_descriptor value{.group = "kubevirt.io",
                                         .version = "v1",
                                         .kind = "VirtualMachineInstance",
                                         .list_kind = "VirtualMachineInstanceList",
                                         .plural = "virtualmachineinstances",
                                         .singular = "virtualmachineinstance",
                                         .short_names = {"vmi", "vmis"},
                                         .namespaced = true,
                                         .has_status = true,
                                         .api_version_ = "kubevirt.io/v1"};
};

// The codec for the whole kind is compiled once, in vmi.cpp: the type tree is large, and
// every user would otherwise instantiate it again.
extern template decoded<virtual_machine_instance> decode<virtual_machine_instance>(const json&);
extern template json encode<virtual_machine_instance>(const virtual_machine_instance&);
extern template json schema<virtual_machine_instance>();

} // namespace podvisor::kube::api
