#include "actors/controller/cache_transforms.hpp"

#include <string>
#include <vector>

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
    if (auto* conditions = member(*status, "conditions"); conditions != nullptr && conditions->is_array()) {
      // Only the scheduler's verdict is read (an unschedulable pod's reason goes on the VMI).
      std::erase_if(conditions->get_ref<nlohmann::json::array_t&>(), [](const nlohmann::json& c) {
        auto type = c.is_object() ? c.find("type") : c.end();
        return type == c.end() || !type->is_string() || type->get_ref<const std::string&>() != "PodScheduled";
      });
      for (auto& condition : *conditions)
        keep_members(condition, {"type", "status", "reason", "message"});
    }
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
