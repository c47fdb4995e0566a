#include "actors/scheduler/cache_transforms.hpp"

#include <nlohmann/json.hpp>

#include "actors/kube/object_transform.hpp"

namespace podvisor::actors::scheduler {

using actors::kube::erase_members;
using actors::kube::for_each_element;
using actors::kube::keep_members;
using actors::kube::member;

void pod_view(nlohmann::json& pod) {
  actors::kube::strip_bookkeeping(pod);
  if (auto* meta = member(pod, "metadata"))
    erase_members(*meta, {"annotations"});
  if (auto* spec = member(pod, "spec")) {
    auto slim = [](nlohmann::json& container) { keep_members(container, {"name", "image", "resources"}); };
    for_each_element(*spec, "containers", slim);
    for_each_element(*spec, "initContainers", slim);
    erase_members(*spec, {"ephemeralContainers", "volumes"});
  }
  if (auto* status = member(pod, "status"))
    erase_members(*status, {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"});
}

void node_view(nlohmann::json& node) {
  actors::kube::strip_bookkeeping(node);
  if (auto* status = member(node, "status"))
    erase_members(*status, {"images"});
}

} // namespace podvisor::actors::scheduler
