#include "kube/scheduler/scheduler.hpp"

#include "kube/scheduler/fit_error.hpp"
#include "kube/scheduler/least_allocated.hpp"
#include "kube/scheduler/node_affinity_filter.hpp"
#include "kube/scheduler/node_ready_filter.hpp"
#include "kube/scheduler/pod_anti_affinity_filter.hpp"
#include "kube/scheduler/resource_filter.hpp"
#include "kube/scheduler/taint_filter.hpp"

namespace podvisor::kube::scheduler {

namespace {

filter_reasons run_filters(const api::pod& pod, const resource_amounts& request, const node_info& node,
                           const cluster_snapshot& snapshot) {
  if (auto r = filter_node_ready(pod, node); !r.empty())
    return r;
  if (auto r = filter_taints(pod, node); !r.empty())
    return r;
  if (auto r = filter_node_affinity(pod, node); !r.empty())
    return r;
  if (auto r = filter_resources(request, node); !r.empty())
    return r;
  return filter_pod_anti_affinity(pod, node, snapshot);
}

} // namespace

filter_reasons run_filters(const api::pod& pod, const node_info& node, const cluster_snapshot& snapshot) {
  return run_filters(pod, pod_requests(pod, request_mode::exact), node, snapshot);
}

schedule_result schedule(const api::pod& pod, const cluster_snapshot& snapshot) {
  schedule_result result;
  const auto request = pod_requests(pod, request_mode::exact);
  const auto non_zero_request = pod_requests(pod, request_mode::non_zero);
  const node_score* best = nullptr;
  for (const auto& node : snapshot.nodes) {
    auto reasons = run_filters(pod, request, node, snapshot);
    if (!reasons.empty()) {
      result.unfit.emplace(node.name(), std::move(reasons));
      continue;
    }
    result.feasible.push_back({node.name(), least_allocated_score(non_zero_request, node)});
  }
  for (const auto& candidate : result.feasible)
    if (!best || candidate.score > best->score || (candidate.score == best->score && candidate.node < best->node))
      best = &candidate;
  if (best)
    result.node = best->node;
  else
    result.message = fit_error_message(snapshot.nodes.size(), result.unfit);
  return result;
}

} // namespace podvisor::kube::scheduler
