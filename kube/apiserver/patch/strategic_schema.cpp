#include "kube/apiserver/patch/strategic_schema.hpp"

#include <utility>

namespace podvisor::kube::apiserver {

namespace {

// ObjectMeta: Finalizers `patchStrategy:"merge"`, OwnerReferences merge by uid.
constexpr list_merge_rule meta_rules[] = {
  {"metadata.finalizers", ""},
  {"metadata.ownerReferences", "uid"},
};

// core/v1 PodSpec, Container and PodStatus. Tolerations, envFrom, readinessGates,
// containerStatuses and the like have no merge strategy and are replaced.
constexpr list_merge_rule pod_rules[] = {
  {"spec.volumes", "name"},
  {"spec.imagePullSecrets", "name"},
  {"spec.hostAliases", "ip"},
  {"spec.topologySpreadConstraints", "topologyKey"},
  {"spec.schedulingGates", "name"},
  {"spec.resourceClaims", "name"},
  {"spec.containers", "name"},
  {"spec.containers[].ports", "containerPort"},
  {"spec.containers[].env", "name"},
  {"spec.containers[].volumeMounts", "mountPath"},
  {"spec.containers[].volumeDevices", "devicePath"},
  {"spec.initContainers", "name"},
  {"spec.initContainers[].ports", "containerPort"},
  {"spec.initContainers[].env", "name"},
  {"spec.initContainers[].volumeMounts", "mountPath"},
  {"spec.initContainers[].volumeDevices", "devicePath"},
  {"spec.ephemeralContainers", "name"},
  {"spec.ephemeralContainers[].ports", "containerPort"},
  {"spec.ephemeralContainers[].env", "name"},
  {"spec.ephemeralContainers[].volumeMounts", "mountPath"},
  {"spec.ephemeralContainers[].volumeDevices", "devicePath"},
  {"status.conditions", "type"},
  {"status.podIPs", "ip"},
  {"status.hostIPs", "ip"},
  {"status.resourceClaimStatuses", "name"},
};

// NodeSpec.PodCIDRs merge as a set; taints have no strategy (replaced).
constexpr list_merge_rule node_rules[] = {
  {"spec.podCIDRs", ""},
  {"status.conditions", "type"},
  {"status.addresses", "type"},
};

constexpr list_merge_rule conditions_rules[] = {
  {"status.conditions", "type"},
};

} // namespace

const list_merge_rule* strategic_schema::find(std::string_view path) const {
  for (const auto& rule : meta_rules)
    if (rule.path == path)
      return &rule;
  for (const auto& rule : kind_rules_)
    if (rule.path == path)
      return &rule;
  return nullptr;
}

const strategic_schema& strategic_schema_for(std::string_view kind, bool builtin) {
  static const strategic_schema meta_only{std::span<const list_merge_rule>{}};
  static const std::pair<std::string_view, strategic_schema> schemas[] = {
    {"Pod", strategic_schema{pod_rules}},
    {"Node", strategic_schema{node_rules}},
    {"Namespace", strategic_schema{conditions_rules}},
    {"PersistentVolumeClaim", strategic_schema{conditions_rules}},
  };
  if (builtin)
    for (const auto& [name, schema] : schemas)
      if (name == kind)
        return schema;
  return meta_only;
}

} // namespace podvisor::kube::apiserver
