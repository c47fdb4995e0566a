#pragma once
// InterPodAffinity, required anti-affinity part: a pod may not land in a topology domain
// (the nodes sharing one value of the term's topologyKey) that holds a pod its required
// anti-affinity terms select — "node(s) didn't match pod anti-affinity rules" — nor where
// a pod already running has a required anti-affinity term selecting it — "node(s) didn't
// satisfy existing pods anti-affinity rules" (checked first, as kube-scheduler does).
//
// Term semantics, as Kubernetes: a missing labelSelector selects no pod, an empty one
// every pod; the namespaces searched are `namespaces` plus those `namespaceSelector`
// selects (an empty selector: all), or the owning pod's own namespace when both are
// absent. A node without the topology key is outside every domain of that key, with one
// exception: for kubernetes.io/hostname a node without the label is its own domain (the
// kubelet always sets it; simulated nodes might not). An invalid selector selects nothing.
//
// Required pod *affinity* (attraction) is not implemented; a pod asking for it is
// scheduled as if it had none.

#include <optional>
#include <string>

#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/api/core/scheduling.hpp"
#include "kube/scheduler/filter.hpp"
#include "kube/scheduler/node_info.hpp"

namespace podvisor::kube::scheduler {

inline constexpr std::string_view label_hostname = "kubernetes.io/hostname";

/// The node's value of a topology key (see the exception for the hostname above).
std::optional<std::string> topology_value(const api::node& node, const std::string& key);

/// True when `term`, written in a pod of namespace `owner_namespace`, selects `candidate`.
bool term_selects(const api::pod_affinity_term& term, const std::string& owner_namespace,
                  const api::pod& candidate, const cluster_snapshot& snapshot);

/// The filter: `node` must be one of `snapshot.nodes` (or at least carry the same name
/// and labels); every node of the snapshot is searched for the domain's pods.
filter_reasons filter_pod_anti_affinity(const api::pod& pod, const node_info& node,
                                        const cluster_snapshot& snapshot);

} // namespace podvisor::kube::scheduler
