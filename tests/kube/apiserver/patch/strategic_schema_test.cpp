#include "kube/apiserver/patch/strategic_schema.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;

TEST_CASE("strategic merge rules follow the core/v1 struct tags", "[kube][apiserver][patch][strategic]") {
  const auto& pod = strategic_schema_for("Pod", true);
  struct row {
    std::string_view path, key;
  };
  const row merging[] = {
    {"metadata.finalizers", ""},     {"metadata.ownerReferences", "uid"},
    {"spec.containers", "name"},     {"spec.initContainers[].env", "name"},
    {"spec.containers[].ports", "containerPort"}, {"spec.containers[].volumeMounts", "mountPath"},
    {"spec.volumes", "name"},        {"status.conditions", "type"},
  };
  for (const auto& r : merging) {
    INFO(r.path);
    const auto* rule = pod.find(r.path);
    REQUIRE(rule != nullptr);
    CHECK(rule->merge_key == r.key);
  }
  for (std::string_view replaced : {"spec.tolerations", "spec.containers[].envFrom", "status.containerStatuses",
                                    "spec.containers[].args", "spec.readinessGates"}) {
    INFO(replaced);
    CHECK(pod.find(replaced) == nullptr);
  }

  // Custom kinds, and built-in kinds without list rules, only know ObjectMeta's.
  for (const auto* schema : {&strategic_schema_for("Pod", false), &strategic_schema_for("Event", true),
                             &strategic_schema_for("VirtualMachineInstance", false)}) {
    CHECK(schema->find("metadata.finalizers") != nullptr);
    CHECK(schema->find("status.conditions") == nullptr);
    CHECK(schema->find("spec.containers") == nullptr);
  }
  CHECK(strategic_schema_for("Node", true).find("status.addresses")->merge_key == "type");
  CHECK(strategic_schema_for("Namespace", true).find("status.conditions")->merge_key == "type");
  CHECK(strategic_schema_for("PersistentVolumeClaim", true).find("status.conditions")->merge_key == "type");
}
