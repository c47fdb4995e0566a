#include "actors/controller/cache_transforms.hpp"

#include <nlohmann/json.hpp>

#include "actors/kube/object_transform.hpp"

namespace podvisor::actors::controller {

using actors::kube::erase_members;
using actors::kube::for_each_element;
using actors::kube::keep_members;
using actors::kube::member;

void launcher_pod_view(nlohmann::json& pod) {
  if (auto* meta = member(pod, "metadata"))
    keep_members(*meta, {"name", "namespace", "uid", "resourceVersion", "deletionTimestamp", "ownerReferences"});
  if (auto* spec = member(pod, "spec"))
    keep_members(*spec, {"nodeName"});
  if (auto* status = member(pod, "status")) {
    keep_members(*status, {"phase", "reason", "message", "conditions", "containerStatuses"});
    for_each_element(*status, "conditions",
                     [](nlohmann::json& condition) { keep_members(condition, {"type", "status", "reason", "message"}); });
    for_each_element(*status, "containerStatuses",
                     [](nlohmann::json& container) { keep_members(container, {"name", "state"}); });
  }
}

void vmi_view(nlohmann::json& vmi) {
  actors::kube::strip_managed_fields(vmi);
  if (auto* status = member(vmi, "status"))
    keep_members(*status, {"phase", "phaseTransitionTimestamps", "conditions", "nodeName", "reason"});
}

void node_view(nlohmann::json& node) {
  actors::kube::strip_bookkeeping(node);
  if (auto* status = member(node, "status"))
    erase_members(*status, {"images"});
}

} // namespace podvisor::actors::controller
