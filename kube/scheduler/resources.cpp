#include "kube/scheduler/resources.hpp"

#include <algorithm>

namespace podvisor::kube::scheduler {

std::int64_t amount_of(std::string_view name, const api::quantity& q) {
  return name == resource_cpu ? q.milli_value() : q.value();
}

resource_amounts to_amounts(const api::resource_list& list) {
  resource_amounts out;
  for (const auto& [name, q] : list)
    out[name] = amount_of(name, q);
  return out;
}

std::int64_t amount(const resource_amounts& amounts, std::string_view name) {
  auto it = amounts.find(name);
  return it == amounts.end() ? 0 : it->second;
}

void add_amounts(resource_amounts& a, const resource_amounts& b) {
  for (const auto& [name, value] : b)
    a[name] += value;
}

void subtract_amounts(resource_amounts& a, const resource_amounts& b) {
  for (const auto& [name, value] : b)
    a[name] -= value;
}

namespace {

resource_amounts container_requests(const api::container& c, request_mode mode) {
  // Limits first, so that an explicit request overrides the limit it defaults from.
  resource_amounts out = to_amounts(c.resources.limits);
  for (const auto& [name, q] : c.resources.requests)
    out[name] = amount_of(name, q);
  if (mode == request_mode::non_zero) {
    // schedutil.GetNonzeroRequestForResource: only a missing request is replaced, an
    // explicit zero stays zero.
    if (!out.contains(resource_cpu))
      out.emplace(resource_cpu, default_milli_cpu_request);
    if (!out.contains(resource_memory))
      out.emplace(resource_memory, default_memory_request);
  }
  return out;
}

} // namespace

resource_amounts pod_requests(const api::pod& pod, request_mode mode) {
  resource_amounts sum;
  for (const auto& c : pod.spec.containers)
    add_amounts(sum, container_requests(c, mode));
  for (const auto& c : pod.spec.init_containers)
    for (const auto& [name, value] : container_requests(c, mode))
      sum[name] = std::max(amount(sum, name), value);
  return sum;
}

bool is_terminated(const api::pod& pod) {
  return pod.status.phase == api::pod_phase::succeeded || pod.status.phase == api::pod_phase::failed;
}

} // namespace podvisor::kube::scheduler
