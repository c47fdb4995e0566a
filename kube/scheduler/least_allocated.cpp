#include "kube/scheduler/least_allocated.hpp"

#include <array>

namespace podvisor::kube::scheduler {

std::int64_t least_requested_score(std::int64_t requested, std::int64_t allocatable) {
  if (allocatable <= 0 || requested > allocatable)
    return 0;
  return (allocatable - requested) * max_node_score / allocatable;
}

std::int64_t least_allocated_score(const resource_amounts& pod_request, const node_info& node) {
  auto allocatable = to_amounts(node.node.status.allocatable);
  std::int64_t sum = 0;
  std::int64_t weights = 0;
  for (auto name : std::array{resource_cpu, resource_memory}) {
    auto alloc = amount(allocatable, name);
    if (alloc == 0)
      continue;
    sum += least_requested_score(amount(node.non_zero_requested, name) + amount(pod_request, name), alloc);
    weights += 1;
  }
  return weights == 0 ? 0 : sum / weights;
}

} // namespace podvisor::kube::scheduler
