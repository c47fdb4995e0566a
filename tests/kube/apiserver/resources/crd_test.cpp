#include "kube/apiserver/resources/crd.hpp"

#include <catch2/catch_test_macros.hpp>

#include "fixtures.hpp"
#include "kube/apiserver/resources/discovery.hpp"

using namespace podvisor::kube::apiserver;
using testing::at;
using testing::sample_crd;

namespace {

std::vector<std::string> fields(const podvisor::kube::api::field_errors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors)
    out.push_back(e.field);
  return out;
}

} // namespace

TEST_CASE("a CRD becomes one entry per served version", "[kube][apiserver][resources][crd]") {
  auto crd = sample_crd();
  crd["spec"]["versions"].push_back({{"name", "v1beta1"}, {"served", true}, {"storage", false}});
  crd["spec"]["versions"].push_back({{"name", "v1alpha1"}, {"served", false}, {"storage", false}});
  crd["spec"]["versions"][0]["selectableFields"] = json::array({{{"jsonPath", ".spec.color"}}});
  auto parsed = entries_from_crd(crd);
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.entries.size() == 2);
  const auto& e = parsed.entries[0];
  CHECK(e.group == "example.com");
  CHECK(e.version == "v1");
  CHECK(e.kind == "Foo");
  CHECK(e.list_kind == "FooList");
  CHECK(e.plural == "foos");
  CHECK(e.singular == "foo");
  CHECK(e.short_names == std::vector<std::string>{"fo"});
  CHECK(e.namespaced);
  CHECK(e.crd_name == "foos.example.com");
  CHECK_FALSE(e.strategic_merge_patch);
  CHECK(e.has_subresource("status"));
  CHECK(e.verbs.size() == all_verbs.size());
  CHECK(e.description == "A foo.");
  CHECK(e.schema_name == "com.example.v1.Foo");
  CHECK(e.schema["properties"].contains("metadata"));
  REQUIRE(e.find_field_label("spec.color") != nullptr);
  CHECK(e.printer.columns.size() == 2); // Name and the default Age
  CHECK(e.printer.columns[1].type == "date");
  CHECK_FALSE(parsed.entries[1].has_subresource("status"));
  CHECK(parsed.entries[1].version == "v1beta1");
}

TEST_CASE("invalid CRDs are refused with field paths", "[kube][apiserver][resources][crd]") {
  CHECK(fields(entries_from_crd(json::array()).errors) == std::vector<std::string>{"<root>"});

  auto crd = sample_crd();
  crd["metadata"]["name"] = "bars.example.com";
  crd["spec"]["names"]["plural"] = "Foos";
  crd["spec"]["scope"] = "Global";
  crd["spec"]["group"] = "example";
  auto result = entries_from_crd(crd);
  CHECK(result.entries.empty());
  CHECK(fields(result.errors)
        == std::vector<std::string>{"spec.group", "spec.names.plural", "metadata.name", "spec.scope"});

  crd = sample_crd();
  crd["metadata"]["name"] = "bars.example.com";
  CHECK(fields(entries_from_crd(crd).errors) == std::vector<std::string>{"metadata.name"});

  crd = sample_crd();
  crd["spec"]["versions"].push_back(crd["spec"]["versions"][0]);
  auto dup = entries_from_crd(crd).errors;
  CHECK(fields(dup) == std::vector<std::string>{"spec.versions[1].name", "spec.versions"});

  crd = sample_crd(json::array({{{"name", "Color"}, {"type", "colour"}, {"jsonPath", ".spec.color"}},
                                {{"name", "Bad"}, {"type", "string"}, {"jsonPath", "..x"}}}));
  CHECK(fields(entries_from_crd(crd).errors)
        == std::vector<std::string>{"spec.versions[0].additionalPrinterColumns[0].type",
                                    "spec.versions[0].additionalPrinterColumns[1].jsonPath"});

  crd = sample_crd();
  crd["spec"].erase("versions");
  CHECK(fields(entries_from_crd(crd).errors) == std::vector<std::string>{"spec.versions"});
}

TEST_CASE("apply_crd registers, updates, conflicts and shows in discovery", "[kube][apiserver][resources][crd]") {
  resource_registry registry{builtin_resources()};
  auto first = registry.apply_crd(sample_crd());
  CHECK(first.outcome == crd_outcome::registered);
  auto list = api_resource_list(registry.snapshot(), "example.com", "v1");
  REQUIRE(list);
  CHECK((*list)["resources"][0]["name"] == "foos");
  CHECK((*list)["resources"][1]["name"] == "foos/status");
  bool listed = false;
  auto groups = api_group_list(registry.snapshot());
  for (const auto& g : groups["groups"])
    listed = listed || g["name"] == "example.com";
  CHECK(listed);

  auto changed = sample_crd();
  changed["spec"]["names"]["shortNames"] = json::array({"fu"});
  CHECK(registry.apply_crd(changed).outcome == crd_outcome::updated);
  CHECK(registry.find("example.com", "v1", "foos")->short_names == std::vector<std::string>{"fu"});
  CHECK(registry.snapshot().in("example.com", "v1").size() == 1);

  // KubeVirt's own CRD manifests name resources the server serves itself.
  auto vms = sample_crd();
  vms["metadata"]["name"] = "virtualmachines.kubevirt.io";
  vms["spec"]["group"] = "kubevirt.io";
  vms["spec"]["names"] = {{"plural", "virtualmachines"}, {"kind", "VirtualMachine"}};
  auto conflict = registry.apply_crd(vms);
  CHECK(conflict.outcome == crd_outcome::conflict);
  CHECK(fields(conflict.errors) == std::vector<std::string>{"spec.names.plural"});

  auto same_kind = sample_crd();
  same_kind["metadata"]["name"] = "others.example.com";
  same_kind["spec"]["names"]["plural"] = "others";
  CHECK(registry.apply_crd(same_kind).outcome == crd_outcome::conflict);

  auto bad = sample_crd();
  bad["spec"]["scope"] = "Everywhere";
  auto g = registry.generation();
  CHECK(registry.apply_crd(bad).outcome == crd_outcome::invalid);
  CHECK(registry.generation() == g);
  CHECK(registry.find("example.com", "v1", "foos") != nullptr);
}

TEST_CASE("crd_accepted_status marks names accepted and established", "[kube][apiserver][resources][crd]") {
  auto crd = sample_crd();
  auto status = crd_accepted_status(crd, at("2024-05-01T12:00:00Z"));
  CHECK(status["acceptedNames"]["plural"] == "foos");
  CHECK(status["acceptedNames"]["listKind"] == "FooList");
  CHECK(status["storedVersions"] == json::array({"v1"}));
  REQUIRE(status["conditions"].size() == 2);
  CHECK(status["conditions"][0]["type"] == "NamesAccepted");
  CHECK(status["conditions"][1]["type"] == "Established");
  CHECK(status["conditions"][1]["status"] == "True");
  CHECK(status["conditions"][1]["lastTransitionTime"] == "2024-05-01T12:00:00Z");

  crd["status"] = status;
  auto again = crd_accepted_status(crd, at("2024-05-02T12:00:00Z"));
  CHECK(again["conditions"][1]["lastTransitionTime"] == "2024-05-01T12:00:00Z");
}

TEST_CASE("custom schema names reverse the group", "[kube][apiserver][resources][crd]") {
  CHECK(custom_schema_name("example.com", "v1", "Foo") == "com.example.v1.Foo");
  CHECK(custom_schema_name("kubevirt.io", "v1", "VirtualMachine") == "io.kubevirt.v1.VirtualMachine");
  CHECK(custom_schema_name("a.b.example.org", "v2", "X") == "org.example.b.a.v2.X");
  CHECK(crd_schema()["properties"]["spec"]["properties"].contains("versions"));
}
