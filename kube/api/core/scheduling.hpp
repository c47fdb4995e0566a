#pragma once
// Placement constraints of a pod (node and pod (anti-)affinity, tolerations) and the node
// taints they answer to. The scheduler reads these; so does KubeVirt when it renders the
// launcher pod of a VM.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/label_selector.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// core/v1 NodeSelectorOperator.
enum class node_selector_operator { in, not_in, exists, does_not_exist, gt, lt };

template <>
struct enum_table<node_selector_operator> {
  static constexpr std::array entries = {
    enum_entry{node_selector_operator::in, "In"},
    enum_entry{node_selector_operator::not_in, "NotIn"},
    enum_entry{node_selector_operator::exists, "Exists"},
    enum_entry{node_selector_operator::does_not_exist, "DoesNotExist"},
    enum_entry{node_selector_operator::gt, "Gt"},
    enum_entry{node_selector_operator::lt, "Lt"},
  };
};

/// core/v1 TolerationOperator.
enum class toleration_operator { exists, equal };

template <>
struct enum_table<toleration_operator> {
  static constexpr std::array entries = {
    enum_entry{toleration_operator::exists, "Exists"},
    enum_entry{toleration_operator::equal, "Equal"},
  };
};

/// core/v1 TaintEffect.
enum class taint_effect { no_schedule, prefer_no_schedule, no_execute };

template <>
struct enum_table<taint_effect> {
  static constexpr std::array entries = {
    enum_entry{taint_effect::no_schedule, "NoSchedule"},
    enum_entry{taint_effect::prefer_no_schedule, "PreferNoSchedule"},
    enum_entry{taint_effect::no_execute, "NoExecute"},
  };
};

/// core/v1 NodeSelectorRequirement: one condition on a node label (or field).
struct node_selector_requirement {
  std::string key;
  enum_field<node_selector_operator> operator_;
  std::vector<std::string> values;
  unknown_fields unknown;
  bool operator==(const node_selector_requirement&) const = default;
};

template <class F>
void describe(F& f, node_selector_requirement& x) {
  f("key", x.key, {.required = true, .doc = "Node label (or field) the condition applies to."});
  f("operator", x.operator_, {.required = true, .doc = "How the key relates to the values."});
  f("values", x.values, {.doc = "Values to compare with; one integer for Gt and Lt."});
}

/// core/v1 NodeSelectorTerm: its requirements are ANDed.
struct node_selector_term {
  std::vector<node_selector_requirement> match_expressions;
  std::vector<node_selector_requirement> match_fields;
  unknown_fields unknown;
  bool operator==(const node_selector_term&) const = default;
};

template <class F>
void describe(F& f, node_selector_term& x) {
  f("matchExpressions", x.match_expressions, {.doc = "Conditions on node labels."});
  f("matchFields", x.match_fields, {.doc = "Conditions on node fields (metadata.name)."});
}

/// core/v1 NodeSelector: its terms are ORed.
struct node_selector {
  std::vector<node_selector_term> node_selector_terms;
  unknown_fields unknown;
  bool operator==(const node_selector&) const = default;
};

template <class F>
void describe(F& f, node_selector& x) {
  f("nodeSelectorTerms", x.node_selector_terms,
    {.required = true, .doc = "A node matches when any one term matches."});
}

/// core/v1 PreferredSchedulingTerm: a soft node preference and its weight.
struct preferred_scheduling_term {
  std::int32_t weight = 0;
  node_selector_term preference;
  unknown_fields unknown;
  bool operator==(const preferred_scheduling_term&) const = default;
};

template <class F>
void describe(F& f, preferred_scheduling_term& x) {
  f("weight", x.weight, {.required = true, .doc = "Score added for matching nodes, 1-100."});
  f("preference", x.preference, {.required = true, .doc = "The node condition preferred."});
}

/// core/v1 NodeAffinity.
struct node_affinity {
  std::optional<node_selector> required_during_scheduling_ignored_during_execution;
  std::vector<preferred_scheduling_term> preferred_during_scheduling_ignored_during_execution;
  unknown_fields unknown;
  bool operator==(const node_affinity&) const = default;
};

template <class F>
void describe(F& f, node_affinity& x) {
  f("requiredDuringSchedulingIgnoredDuringExecution", x.required_during_scheduling_ignored_during_execution,
    {.doc = "Nodes the pod may be placed on; not re-checked once it runs."});
  f("preferredDuringSchedulingIgnoredDuringExecution", x.preferred_during_scheduling_ignored_during_execution,
    {.doc = "Weighted node preferences the scheduler tries to honour."});
}

/// core/v1 PodAffinityTerm: "near (or away from) pods matching this selector, within the
/// same value of topologyKey".
struct pod_affinity_term {
  std::optional<label_selector> label_selector_;
  std::vector<std::string> namespaces;
  std::string topology_key;
  std::optional<label_selector> namespace_selector;
  unknown_fields unknown;
  bool operator==(const pod_affinity_term&) const = default;
};

template <class F>
void describe(F& f, pod_affinity_term& x) {
  f("labelSelector", x.label_selector_, {.doc = "Pods this term refers to."});
  f("namespaces", x.namespaces, {.doc = "Namespaces searched; empty means the pod's own."});
  f("topologyKey", x.topology_key,
    {.required = true, .doc = "Node label whose equal values form one co-location domain."});
  f("namespaceSelector", x.namespace_selector, {.doc = "Namespaces searched, chosen by their labels."});
}

/// core/v1 WeightedPodAffinityTerm.
struct weighted_pod_affinity_term {
  std::int32_t weight = 0;
  pod_affinity_term pod_affinity_term_;
  unknown_fields unknown;
  bool operator==(const weighted_pod_affinity_term&) const = default;
};

template <class F>
void describe(F& f, weighted_pod_affinity_term& x) {
  f("weight", x.weight, {.required = true, .doc = "Score added for matching nodes, 1-100."});
  f("podAffinityTerm", x.pod_affinity_term_, {.required = true, .doc = "The preferred placement."});
}

/// core/v1 PodAffinity and PodAntiAffinity, which have the same shape.
struct pod_affinity {
  std::vector<pod_affinity_term> required_during_scheduling_ignored_during_execution;
  std::vector<weighted_pod_affinity_term> preferred_during_scheduling_ignored_during_execution;
  unknown_fields unknown;
  bool operator==(const pod_affinity&) const = default;
};

template <class F>
void describe(F& f, pod_affinity& x) {
  f("requiredDuringSchedulingIgnoredDuringExecution", x.required_during_scheduling_ignored_during_execution,
    {.doc = "Terms that must all hold when the pod is scheduled."});
  f("preferredDuringSchedulingIgnoredDuringExecution", x.preferred_during_scheduling_ignored_during_execution,
    {.doc = "Weighted terms the scheduler tries to honour."});
}

/// core/v1 Affinity.
struct affinity {
  std::optional<node_affinity> node_affinity_;
  std::optional<pod_affinity> pod_affinity_;
  std::optional<pod_affinity> pod_anti_affinity;
  unknown_fields unknown;
  bool operator==(const affinity&) const = default;
};

template <class F>
void describe(F& f, affinity& x) {
  f("nodeAffinity", x.node_affinity_, {.doc = "Constraints on the node's labels."});
  f("podAffinity", x.pod_affinity_, {.doc = "Place the pod near matching pods."});
  f("podAntiAffinity", x.pod_anti_affinity, {.doc = "Keep the pod away from matching pods."});
}

/// core/v1 Toleration: lets a pod land on (or stay on) a node with a matching taint.
struct toleration {
  std::string key;
  enum_field<toleration_operator> operator_;
  std::string value;
  enum_field<taint_effect> effect;
  std::optional<std::int64_t> toleration_seconds;
  unknown_fields unknown;
  bool operator==(const toleration&) const = default;
};

template <class F>
void describe(F& f, toleration& x) {
  f("key", x.key, {.doc = "Taint key tolerated; empty with Exists tolerates every taint."});
  f("operator", x.operator_, {.doc = "Equal (default) compares the value; Exists ignores it."});
  f("value", x.value, {.doc = "Taint value tolerated with the Equal operator."});
  f("effect", x.effect, {.doc = "Taint effect tolerated; empty means all effects."});
  f("tolerationSeconds", x.toleration_seconds,
    {.doc = "For NoExecute: how long the pod may stay after the taint appears."});
}

/// core/v1 Taint: repels pods that do not tolerate it.
struct taint {
  std::string key;
  std::string value;
  enum_field<taint_effect> effect;
  std::optional<timestamp> time_added;
  unknown_fields unknown;
  bool operator==(const taint&) const = default;
};

template <class F>
void describe(F& f, taint& x) {
  f("key", x.key, {.required = true, .doc = "Taint key."});
  f("value", x.value, {.doc = "Taint value."});
  f("effect", x.effect, {.required = true, .doc = "What happens to pods that do not tolerate the taint."});
  f("timeAdded", x.time_added, {.doc = "When a NoExecute taint was added."});
}

} // namespace podvisor::kube::api
