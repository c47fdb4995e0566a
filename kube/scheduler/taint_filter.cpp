#include "kube/scheduler/taint_filter.hpp"

#include <algorithm>

namespace podvisor::kube::scheduler {

bool tolerates(const api::toleration& toleration, const api::taint& taint) {
  if (!toleration.effect.empty() && toleration.effect.raw() != taint.effect.raw())
    return false;
  if (!toleration.key.empty() && toleration.key != taint.key)
    return false;
  if (toleration.operator_.empty() || toleration.operator_ == api::toleration_operator::equal)
    return toleration.value == taint.value;
  return toleration.operator_ == api::toleration_operator::exists;
}

bool tolerated(std::span<const api::toleration> tolerations, const api::taint& taint) {
  return std::any_of(tolerations.begin(), tolerations.end(),
                     [&](const api::toleration& t) { return tolerates(t, taint); });
}

std::optional<api::taint> first_untolerated_taint(std::span<const api::taint> taints,
                                                  std::span<const api::toleration> tolerations) {
  for (const auto& taint : taints) {
    if (taint.effect != api::taint_effect::no_schedule && taint.effect != api::taint_effect::no_execute)
      continue;
    if (!tolerated(tolerations, taint))
      return taint;
  }
  return std::nullopt;
}

std::string untolerated_taint_reason(const api::taint& taint) {
  return "node(s) had untolerated taint {" + taint.key + ": " + taint.value + "}";
}

filter_reasons filter_taints(const api::pod& pod, const node_info& node) {
  auto taint = first_untolerated_taint(node.node.spec.taints, pod.spec.tolerations);
  if (!taint)
    return {};
  return {untolerated_taint_reason(*taint)};
}

} // namespace podvisor::kube::scheduler
