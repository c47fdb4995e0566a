#pragma once
// The scheduler's view of the cluster: each node with the pods bound to it and what they
// request (kube-scheduler's NodeInfo and Snapshot).

#include <map>
#include <string>
#include <vector>

#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/api/selector.hpp"
#include "kube/scheduler/resources.hpp"

namespace podvisor::kube::scheduler {

/// One node and the non-terminated pods bound to it. Build with `make_node_info` or keep
/// one up to date with `add_pod`/`remove_pod`; the sums always match `pods`.
struct node_info {
  api::node node;
  /// Bound pods that have not terminated (terminated ones are dropped on the way in).
  std::vector<api::pod> pods;
  /// Sum of `pod_requests(p, exact)` over `pods`: what the resource filter subtracts.
  resource_amounts requested;
  /// Sum of `pod_requests(p, non_zero)` over `pods`: what scoring counts.
  resource_amounts non_zero_requested;

  const std::string& name() const { return node.metadata.name; }

  /// Adds a pod bound to this node, unless it has terminated.
  void add_pod(api::pod pod);

  /// Removes the pod with this namespace and name; false when it is not here.
  bool remove_pod(const std::string& namespace_, const std::string& name);
};

/// A node_info for `node` with `pods` added (terminated ones skipped).
node_info make_node_info(api::node node, std::vector<api::pod> pods = {});

/// Everything one scheduling decision looks at.
struct cluster_snapshot {
  std::vector<node_info> nodes;
  /// Namespace name → its labels, for pod anti-affinity terms with a non-empty
  /// namespaceSelector; a namespace missing here has no labels.
  std::map<std::string, api::label_set> namespace_labels;
};

} // namespace podvisor::kube::scheduler
