#pragma once
// core/v1 Pod: the unit the scheduler places and the pod runtime runs. A KubeVirt VM runs
// inside one (the "launcher" pod).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/container.hpp"
#include "kube/api/core/pod_status.hpp"
#include "kube/api/core/scheduling.hpp"
#include "kube/api/core/volume.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/meta.hpp"

namespace podvisor::kube::api {

/// core/v1 RestartPolicy.
enum class restart_policy { always, on_failure, never };

template <>
struct enum_table<restart_policy> {
  static constexpr std::array entries = {
    enum_entry{restart_policy::always, "Always"},
    enum_entry{restart_policy::on_failure, "OnFailure"},
    enum_entry{restart_policy::never, "Never"},
  };
};

/// core/v1 DNSPolicy.
enum class dns_policy { cluster_first_with_host_net, cluster_first, default_, none };

template <>
struct enum_table<dns_policy> {
  static constexpr std::array entries = {
    enum_entry{dns_policy::cluster_first_with_host_net, "ClusterFirstWithHostNet"},
    enum_entry{dns_policy::cluster_first, "ClusterFirst"},
    enum_entry{dns_policy::default_, "Default"},
    enum_entry{dns_policy::none, "None"},
  };
};

/// core/v1 PodSpec.
struct pod_spec {
  std::vector<volume> volumes;
  std::vector<container> init_containers;
  std::vector<container> containers;
  enum_field<restart_policy> restart_policy_;
  std::optional<std::int64_t> termination_grace_period_seconds;
  enum_field<dns_policy> dns_policy_;
  std::map<std::string, std::string> node_selector;
  std::string service_account_name;
  std::string node_name;
  bool host_network = false;
  std::string hostname;
  std::string subdomain;
  std::optional<affinity> affinity_;
  std::string scheduler_name;
  std::vector<toleration> tolerations;
  std::optional<std::int32_t> priority;
  unknown_fields unknown;
  bool operator==(const pod_spec&) const = default;
};

template <class F>
void describe(F& f, pod_spec& x) {
  f("volumes", x.volumes, {.doc = "Volumes the containers can mount."});
  f("initContainers", x.init_containers, {.doc = "Containers run to completion, in order, before the others start."});
  f("containers", x.containers, {.required = true, .doc = "Containers of the pod; at least one."});
  f("restartPolicy", x.restart_policy_, {.doc = "Always (default), OnFailure or Never."});
  f("terminationGracePeriodSeconds", x.termination_grace_period_seconds,
    {.doc = "Seconds between the stop signal and the kill on deletion."});
  f("dnsPolicy", x.dns_policy_, {.doc = "How the pod's resolv.conf is made."});
  f("nodeSelector", x.node_selector, {.doc = "Labels a node must have to run the pod."});
  f("serviceAccountName", x.service_account_name, {.doc = "Identity the pod's processes run as."});
  f("nodeName", x.node_name, {.doc = "Node the pod is bound to; set by the scheduler."});
  f("hostNetwork", x.host_network, {.doc = "Use the node's network namespace."});
  f("hostname", x.hostname, {.doc = "Hostname inside the pod; defaults to the pod name."});
  f("subdomain", x.subdomain, {.doc = "With hostname, gives the pod a DNS name under a headless service."});
  f("affinity", x.affinity_, {.doc = "Scheduling constraints on nodes and neighbouring pods."});
  f("schedulerName", x.scheduler_name, {.doc = "Scheduler responsible for the pod."});
  f("tolerations", x.tolerations, {.doc = "Taints the pod tolerates."});
  f("priority", x.priority, {.doc = "Scheduling priority, resolved from priorityClassName."});
}

/// core/v1 Pod.
struct pod {
  std::string api_version = "v1";
  std::string kind = "Pod";
  object_meta metadata;
  pod_spec spec;
  pod_status status;
  unknown_fields unknown;
  bool operator==(const pod&) const = default;
};

template <class F>
void describe(F& f, pod& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: Pod."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("spec", x.spec, {.doc = "Desired behaviour of the pod."});
  f("status", x.status, {.doc = "Observed state of the pod; written by the system."});
}

template <>
struct kind_info<pod> {
  static constexpr kind_descriptor value{.group = "",
                                         .version = "v1",
                                         .kind = "Pod",
                                         .list_kind = "PodList",
                                         .plural = "pods",
                                         .singular = "pod",
                                         .short_names = {"po"},
                                         .namespaced = true,
                                         .has_status = true,
                                         .api_version_ = "v1"};
};

} // namespace podvisor::kube::api
