#include "kube/scheduler/resource_filter.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace podvisor::kube::scheduler {

filter_reasons filter_resources(const resource_amounts& pod_request, const node_info& node) {
  filter_reasons reasons;
  auto allocatable = to_amounts(node.node.status.allocatable);
  if (allocatable.contains(resource_pods) &&
      static_cast<std::int64_t>(node.pods.size()) + 1 > amount(allocatable, resource_pods))
    reasons.emplace_back(reason::too_many_pods);
  auto check = [&](const std::string& name, std::int64_t want) {
    if (want > 0 && want > amount(allocatable, name) - amount(node.requested, name))
      reasons.push_back("Insufficient " + name);
  };
  // fitsRequest's order: cpu, memory, ephemeral-storage, then the others by name.
  static constexpr std::array<std::string_view, 3> first = {resource_cpu, resource_memory, "ephemeral-storage"};
  for (auto name : first)
    check(std::string(name), amount(pod_request, name));
  for (const auto& [name, want] : pod_request)
    if (name != resource_pods && std::find(first.begin(), first.end(), name) == first.end())
      check(name, want);
  return reasons;
}

filter_reasons filter_resources(const api::pod& pod, const node_info& node) {
  return filter_resources(pod_requests(pod, request_mode::exact), node);
}

} // namespace podvisor::kube::scheduler
