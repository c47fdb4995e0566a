#pragma once
// One scheduling decision, kube-scheduler's cycle without its plumbing: run the filters
// on every node, score the nodes that pass with LeastAllocated, pick the best. Pure and
// deterministic — equal scores go to the node whose name sorts first (kube-scheduler picks
// one of them at random) — so the same snapshot always gives the same answer.
//
// Filters run in kube-scheduler's plugin order and stop at the first that fails, so a node
// gets the reasons of one filter only:
//
//   node_ready (NodeUnschedulable + the lifecycle controller's readiness taints)
//   → taints (TaintToleration) → node_affinity (NodeAffinity: nodeSelector and required
//   node affinity) → resources (NodeResourcesFit) → pod_anti_affinity (InterPodAffinity)
//
// The caller (the scheduler actor) owns everything around it: which pods to schedule
// (unbound, schedulerName ours), keeping the snapshot current, binding, FailedScheduling
// events and retries. A pod's spec.nodeName is not looked at here.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/core/pod.hpp"
#include "kube/scheduler/filter.hpp"
#include "kube/scheduler/node_info.hpp"

namespace podvisor::kube::scheduler {

/// A node that passed every filter, and its score.
struct node_score {
  std::string node;
  std::int64_t score = 0;
  friend bool operator==(const node_score&, const node_score&) = default;
};

/// The outcome of one decision.
struct schedule_result {
  /// The chosen node; empty when the pod fits nowhere.
  std::optional<std::string> node;
  /// Every node that passed the filters, in snapshot order, with its score.
  std::vector<node_score> feasible;
  /// Every node that did not, with the reasons of the filter that refused it.
  std::map<std::string, filter_reasons> unfit;
  /// kube-scheduler's message when no node fits (`fit_error_message`); empty otherwise.
  std::string message;

  bool scheduled() const { return node.has_value(); }
};

/// The filters for one node, in order, stopping at the first that refuses.
filter_reasons run_filters(const api::pod& pod, const node_info& node, const cluster_snapshot& snapshot);

/// Chooses a node for `pod` among `snapshot.nodes`.
schedule_result schedule(const api::pod& pod, const cluster_snapshot& snapshot);

} // namespace podvisor::kube::scheduler
