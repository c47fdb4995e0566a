#include "kube/scheduler/node_ready_filter.hpp"

#include <algorithm>
#include <string>

#include "kube/scheduler/taint_filter.hpp"

namespace podvisor::kube::scheduler {

namespace {

api::taint no_schedule_taint(std::string_view key) {
  api::taint t;
  t.key = std::string(key);
  t.effect = api::taint_effect::no_schedule;
  return t;
}

} // namespace

std::optional<api::taint> readiness_taint(const api::node& node) {
  const auto& conditions = node.status.conditions;
  auto ready = std::find_if(conditions.begin(), conditions.end(),
                            [](const api::node_condition& c) { return c.type == "Ready"; });
  if (ready == conditions.end() || ready->status == api::condition_status::false_)
    return no_schedule_taint(taint_not_ready);
  if (ready->status == api::condition_status::true_)
    return std::nullopt;
  return no_schedule_taint(taint_unreachable);
}

filter_reasons filter_node_ready(const api::pod& pod, const node_info& node) {
  if (node.node.spec.unschedulable && !tolerated(pod.spec.tolerations, no_schedule_taint(taint_unschedulable)))
    return {std::string(reason::unschedulable)};
  auto taint = readiness_taint(node.node);
  if (taint && !tolerated(pod.spec.tolerations, *taint))
    return {untolerated_taint_reason(*taint)};
  return {};
}

} // namespace podvisor::kube::scheduler
