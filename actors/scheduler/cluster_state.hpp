#pragma once
// The scheduler actor's picture of the cluster (kube-scheduler's cache): the nodes, the
// pods bound to them, and the pods it has *assumed* onto a node — chosen and being bound,
// but not yet seen bound by the pod informer. Counting an assumed pod at once is what
// keeps two pods of a burst from both landing on a node with room for one: the second
// decision already sees the first pod's requests. The assumption ends when the informer
// reports the pod bound (it is then counted as bound) or when the bind fails (`forget`).
//
// Plain C++, no CAF: the actor feeds it informer events and asks it for snapshots.

#include <cstddef>
#include <map>
#include <string>

#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/scheduler/node_info.hpp"

namespace podvisor::actors::scheduler {

/// Nodes, bound pods and assumed pods, by name and "namespace/name" key.
class cluster_state {
public:
  /// Adds or replaces a node.
  void upsert_node(podvisor::kube::api::node node);
  /// Removes a node (its pods stay known; they count again if it comes back).
  void remove_node(const std::string& name);

  /// A pod as the informer reports it. A bound, non-terminated pod counts on its node
  /// and replaces any assumption for it; an unbound or terminated one counts nowhere.
  void upsert_pod(const std::string& key, podvisor::kube::api::pod pod);
  /// The pod is gone: it counts nowhere, bound or assumed.
  void remove_pod(const std::string& key);

  /// Counts `pod` on `node` until the informer shows it bound or `forget` is called.
  void assume(const std::string& key, podvisor::kube::api::pod pod, const std::string& node);
  /// Drops the assumption for `key` (a failed bind); a bound pod is not affected.
  void forget(const std::string& key);
  bool assumed(const std::string& key) const { return assumed_.count(key) > 0; }

  /// Every node with its bound and assumed pods, in node-name order (the decision
  /// core breaks score ties by this order).
  podvisor::kube::scheduler::cluster_snapshot snapshot() const;

  std::size_t node_count() const { return nodes_.size(); }
  /// Pods counted on a node, assumed ones included.
  std::size_t counted_pods() const { return bound_.size() + assumed_.size(); }

private:
  std::map<std::string, podvisor::kube::api::node> nodes_;
  /// key → bound, non-terminated pod (spec.nodeName set).
  std::map<std::string, podvisor::kube::api::pod> bound_;
  /// key → assumed pod, with spec.nodeName set to the chosen node.
  std::map<std::string, podvisor::kube::api::pod> assumed_;
};

} // namespace podvisor::actors::scheduler
