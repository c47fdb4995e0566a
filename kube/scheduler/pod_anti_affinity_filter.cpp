#include "kube/scheduler/pod_anti_affinity_filter.hpp"

#include <algorithm>
#include <span>

#include "kube/api/selector.hpp"

namespace podvisor::kube::scheduler {

namespace {

std::span<const api::pod_affinity_term> required_anti_affinity(const api::pod& pod) {
  const auto& affinity = pod.spec.affinity_;
  if (!affinity || !affinity->pod_anti_affinity)
    return {};
  return affinity->pod_anti_affinity->required_during_scheduling_ignored_during_execution;
}

bool namespace_searched(const api::pod_affinity_term& term, const std::string& owner_namespace,
                        const std::string& ns, const cluster_snapshot& snapshot) {
  if (term.namespaces.empty() && !term.namespace_selector)
    return ns == owner_namespace;
  if (std::find(term.namespaces.begin(), term.namespaces.end(), ns) != term.namespaces.end())
    return true;
  if (!term.namespace_selector)
    return false;
  auto matcher = api::label_matcher::from_label_selector(*term.namespace_selector);
  if (!matcher)
    return false;
  auto it = snapshot.namespace_labels.find(ns);
  return matcher->matches(it == snapshot.namespace_labels.end() ? api::label_set{} : it->second);
}

// True when both nodes have a value for the key and it is the same one.
bool same_domain(const api::node& a, const api::node& b, const std::string& key) {
  auto va = topology_value(a, key);
  return va && va == topology_value(b, key);
}

} // namespace

std::optional<std::string> topology_value(const api::node& node, const std::string& key) {
  const auto& labels = node.metadata.labels;
  if (auto it = labels.find(key); it != labels.end())
    return it->second;
  if (key == label_hostname)
    return node.metadata.name;
  return std::nullopt;
}

bool term_selects(const api::pod_affinity_term& term, const std::string& owner_namespace,
                  const api::pod& candidate, const cluster_snapshot& snapshot) {
  if (!term.label_selector_)
    return false;
  if (!namespace_searched(term, owner_namespace, candidate.metadata.namespace_, snapshot))
    return false;
  auto matcher = api::label_matcher::from_label_selector(*term.label_selector_);
  return matcher && matcher->matches(candidate.metadata.labels);
}

filter_reasons filter_pod_anti_affinity(const api::pod& pod, const node_info& node,
                                        const cluster_snapshot& snapshot) {
  // Pods already placed whose own terms keep this pod out of their domain.
  for (const auto& other : snapshot.nodes)
    for (const auto& existing : other.pods)
      for (const auto& term : required_anti_affinity(existing))
        if (same_domain(node.node, other.node, term.topology_key) &&
            term_selects(term, existing.metadata.namespace_, pod, snapshot))
          return {std::string(reason::existing_anti_affinity)};

  // This pod's terms against the pods in the node's domain.
  for (const auto& term : required_anti_affinity(pod))
    for (const auto& other : snapshot.nodes) {
      if (!same_domain(node.node, other.node, term.topology_key))
        continue;
      for (const auto& existing : other.pods)
        if (term_selects(term, pod.metadata.namespace_, existing, snapshot))
          return {std::string(reason::anti_affinity)};
    }
  return {};
}

} // namespace podvisor::kube::scheduler
