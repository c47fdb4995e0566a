#include "kube/apiserver/resources/registry.hpp"

#include <atomic>
#include <thread>

#include <catch2/catch_test_macros.hpp>

#include "fixtures.hpp"
#include "kube/apiserver/resources/tables.hpp"

using namespace podvisor::kube::apiserver;
using podvisor::kube::api::enum_table;
using podvisor::kube::api::parse_enum;
using podvisor::kube::api::to_string;
using testing::builtin;
using testing::builtins;

TEST_CASE("the built-in registry serves the kinds Podvisor needs", "[kube][apiserver][resources][registry]") {
  struct want {
    const char* group;
    const char* plural;
    const char* kind;
    bool namespaced;
    bool status;
    bool smp;
  };
  const want rows[] = {
    {"", "namespaces", "Namespace", false, true, true},
    {"", "pods", "Pod", true, true, true},
    {"", "nodes", "Node", false, true, true},
    {"", "events", "Event", true, false, true},
    {"", "configmaps", "ConfigMap", true, false, true},
    {"", "secrets", "Secret", true, false, true},
    {"", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, true},
    {"coordination.k8s.io", "leases", "Lease", true, false, true},
    {"apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", false, true, false},
    {"kubevirt.io", "virtualmachines", "VirtualMachine", true, true, false},
    {"kubevirt.io", "virtualmachineinstances", "VirtualMachineInstance", true, true, false},
    {"kubevirt.io", "virtualmachineinstancemigrations", "VirtualMachineInstanceMigration", true, true, false},
  };
  CHECK(builtins().entries.size() == std::size(rows));
  for (const auto& r : rows) {
    INFO(r.plural);
    auto e = builtin(r.group, "v1", r.plural);
    REQUIRE(e);
    CHECK(e->kind == r.kind);
    CHECK(e->list_kind == std::string(r.kind) + "List");
    CHECK(e->namespaced == r.namespaced);
    CHECK(e->has_subresource("status") == r.status);
    CHECK(e->strategic_merge_patch == r.smp);
    CHECK(e->allows(verb::get));
    CHECK(e->allows(verb::watch));
    CHECK(e->crd_name.empty());
    CHECK(e->schema["properties"].contains("apiVersion"));
    CHECK(e->schema["properties"].contains("kind"));
    CHECK(e->schema["properties"].contains("metadata"));
    CHECK_FALSE(e->schema_name.empty());
    CHECK_FALSE(e->printer.columns.empty());
    CHECK(e->printer.columns.front().name == (e->kind == "Event" ? "Last Seen" : "Name"));
  }
  CHECK(builtin("", "v1", "pods")->has_subresource("binding"));
  CHECK_FALSE(builtin("", "v1", "namespaces")->allows(verb::deletecollection));
  CHECK(builtin("", "v1", "pods")->categories == std::vector<std::string>{"all"});
  CHECK(builtin("kubevirt.io", "v1", "virtualmachines")->categories == std::vector<std::string>{"all"});
  CHECK(builtin("kubevirt.io", "v1", "virtualmachineinstances")->short_names
        == std::vector<std::string>{"vmi", "vmis"});
  CHECK(builtin("kubevirt.io", "v1", "virtualmachineinstances")->schema["properties"]["spec"]["properties"].contains("domain"));
  CHECK(builtin("", "v1", "pods")->api_version() == "v1");
  CHECK(builtin("coordination.k8s.io", "v1", "leases")->api_version() == "coordination.k8s.io/v1");
}

TEST_CASE("field selector labels", "[kube][apiserver][resources][registry]") {
  auto pods = builtin("", "v1", "pods");
  REQUIRE(pods->find_field_label("metadata.name") != nullptr);
  REQUIRE(pods->find_field_label("metadata.namespace") != nullptr);
  REQUIRE(pods->find_field_label("spec.nodeName") != nullptr);
  CHECK(pods->find_field_label("status.phase")->path == "status.phase");
  CHECK(pods->find_field_label("spec.containers") == nullptr);
  auto events = builtin("", "v1", "events");
  REQUIRE(events->find_field_label("source") != nullptr);
  CHECK(events->find_field_label("source")->path == "source.component");
  for (const char* l : {"involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid",
                        "involvedObject.apiVersion", "reason", "type"})
    CHECK(events->find_field_label(l) != nullptr);
  CHECK(builtin("kubevirt.io", "v1", "virtualmachineinstances")->find_field_label("status.phase") == nullptr);
}

TEST_CASE("snapshots order group-versions core first", "[kube][apiserver][resources][registry]") {
  auto gvs = builtins().group_versions();
  REQUIRE(gvs.size() == 4);
  CHECK(gvs[0].str() == "v1");
  CHECK(gvs[1].str() == "coordination.k8s.io/v1");
  CHECK(gvs[2].str() == "apiextensions.k8s.io/v1");
  CHECK(gvs[3].str() == "kubevirt.io/v1");
  CHECK(builtins().in("kubevirt.io", "v1").size() == 3);
  CHECK(builtins().find("", "v1", "virtualmachines") == nullptr);
}

TEST_CASE("registry lookups, and entries outliving their CRD", "[kube][apiserver][resources][registry]") {
  resource_registry registry{builtin_resources()};
  CHECK(registry.find_kind("kubevirt.io", "v1", "VirtualMachineInstance")->plural == "virtualmachineinstances");
  CHECK(registry.find_kind("", "v1", "VirtualMachineInstance") == nullptr);
  auto g0 = registry.generation();
  REQUIRE(registry.apply_crd(testing::sample_crd()).outcome == crd_outcome::registered);
  auto foo = registry.find("example.com", "v1", "foos");
  REQUIRE(foo);
  CHECK(registry.generation() > g0);
  CHECK(registry.remove_crd("foos.example.com"));
  CHECK_FALSE(registry.remove_crd("foos.example.com"));
  CHECK(registry.find("example.com", "v1", "foos") == nullptr);
  CHECK(foo->kind == "Foo"); // still valid for a request that holds it
}

TEST_CASE("registry is safe under concurrent readers and CRD writers", "[kube][apiserver][resources][registry]") {
  resource_registry registry{builtin_resources()};
  std::atomic<bool> stop{false};
  std::atomic<int> lookups{0};
  std::thread reader([&] {
    while (!stop) {
      auto s = registry.snapshot();
      if (registry.find("", "v1", "pods") != nullptr && !s.entries.empty())
        ++lookups;
    }
  });
  // Keep writing until the reader has overlapped with the writer for a while (on a busy
  // machine it may not get scheduled during the first few hundred writes).
  for (int i = 0; i < 200 || (lookups < 100 && i < 1000000); ++i) {
    REQUIRE(registry.apply_crd(testing::sample_crd()).ok());
    REQUIRE(registry.remove_crd("foos.example.com"));
  }
  stop = true;
  reader.join();
  CHECK(lookups > 0);
}

TEST_CASE("enum string tables round-trip", "[kube][apiserver][resources][registry]") {
  for (const auto& entry : enum_table<verb>::entries)
    CHECK(parse_enum<verb>(to_string(entry.value)) == entry.value);
  CHECK(to_string(verb::delete_) == "delete");
  for (const auto& entry : enum_table<crd_outcome>::entries)
    CHECK(parse_enum<crd_outcome>(to_string(entry.value)) == entry.value);
  for (const auto& entry : enum_table<include_object>::entries)
    CHECK(parse_enum<include_object>(to_string(entry.value)) == entry.value);
  CHECK(parse_enum<include_object>("Object") == include_object::object);
}
