#include "kube/apiserver/resources/discovery.hpp"

#include <algorithm>

#include <catch2/catch_test_macros.hpp>

#include "fixtures.hpp"

using namespace podvisor::kube::apiserver;
using testing::builtins;

namespace {

const json* find_named(const json& list, const char* key, const std::string& name) {
  for (const auto& item : list)
    if (item.value(key, "") == name)
      return &item;
  return nullptr;
}

const json all_verbs_json = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};

} // namespace

TEST_CASE("GET /api lists v1 and the server address", "[kube][apiserver][resources][discovery]") {
  auto doc = api_versions("127.0.0.1:6443");
  CHECK(doc == json::parse(R"({"kind":"APIVersions","versions":["v1"],
    "serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:6443"}]})"));
}

TEST_CASE("GET /apis lists every non-core group", "[kube][apiserver][resources][discovery]") {
  auto doc = api_group_list(builtins());
  CHECK(doc["kind"] == "APIGroupList");
  CHECK(doc["apiVersion"] == "v1");
  std::vector<std::string> names;
  for (const auto& g : doc["groups"])
    names.push_back(g["name"]);
  CHECK(names == std::vector<std::string>{"coordination.k8s.io", "apiextensions.k8s.io", "kubevirt.io"});
  const json* kv = find_named(doc["groups"], "name", "kubevirt.io");
  REQUIRE(kv != nullptr);
  CHECK((*kv)["versions"] == json::parse(R"([{"groupVersion":"kubevirt.io/v1","version":"v1"}])"));
  CHECK((*kv)["preferredVersion"] == json::parse(R"({"groupVersion":"kubevirt.io/v1","version":"v1"})"));
}

TEST_CASE("GET /apis/kubevirt.io/v1 has the reference shape", "[kube][apiserver][resources][discovery]") {
  auto doc = api_resource_list(builtins(), "kubevirt.io", "v1");
  REQUIRE(doc);
  CHECK((*doc)["kind"] == "APIResourceList");
  CHECK((*doc)["apiVersion"] == "v1");
  CHECK((*doc)["groupVersion"] == "kubevirt.io/v1");
  const auto& resources = (*doc)["resources"];
  const json* vmi = find_named(resources, "name", "virtualmachineinstances");
  REQUIRE(vmi != nullptr);
  CHECK(*vmi == json{{"name", "virtualmachineinstances"}, {"singularName", "virtualmachineinstance"},
                     {"namespaced", true}, {"kind", "VirtualMachineInstance"}, {"verbs", all_verbs_json},
                     {"shortNames", {"vmi", "vmis"}}, {"categories", {"all"}}});
  const json* status = find_named(resources, "name", "virtualmachineinstances/status");
  REQUIRE(status != nullptr);
  CHECK(*status == json::parse(R"({"name":"virtualmachineinstances/status","singularName":"","namespaced":true,
    "kind":"VirtualMachineInstance","verbs":["get","patch","update"]})"));
  CHECK(find_named(resources, "name", "virtualmachines/status") != nullptr);
  CHECK(find_named(resources, "name", "virtualmachineinstancemigrations/status") != nullptr);
  // Sorted by name, each subresource right after its resource.
  std::vector<std::string> names;
  for (const auto& r : resources)
    names.push_back(r["name"]);
  CHECK(std::is_sorted(names.begin(), names.end()));
}

TEST_CASE("GET /api/v1 lists the core kinds and their subresources", "[kube][apiserver][resources][discovery]") {
  auto doc = api_resource_list(builtins(), "", "v1");
  REQUIRE(doc);
  CHECK((*doc)["groupVersion"] == "v1");
  const auto& resources = (*doc)["resources"];
  for (const char* name : {"namespaces", "pods", "nodes", "events", "configmaps", "secrets", "persistentvolumeclaims",
                           "pods/status", "pods/binding", "nodes/status"})
    CHECK(find_named(resources, "name", name) != nullptr);
  const json* binding = find_named(resources, "name", "pods/binding");
  REQUIRE(binding != nullptr);
  CHECK((*binding)["kind"] == "Binding");
  CHECK((*binding)["verbs"] == json::array({"create"}));
  const json* nodes = find_named(resources, "name", "nodes");
  REQUIRE(nodes != nullptr);
  CHECK((*nodes)["namespaced"] == false);
  CHECK((*nodes)["shortNames"] == json::array({"no"}));
  const json* ns = find_named(resources, "name", "namespaces");
  REQUIRE(ns != nullptr);
  CHECK((*ns)["verbs"] == json::array({"create", "delete", "get", "list", "patch", "update", "watch"}));
  const json* pods = find_named(resources, "name", "pods");
  REQUIRE(pods != nullptr);
  CHECK((*pods)["categories"] == json::array({"all"}));
  const json* secrets = find_named(resources, "name", "secrets");
  REQUIRE(secrets != nullptr);
  CHECK_FALSE(secrets->contains("shortNames")); // empty lists are left out

  CHECK_FALSE(api_resource_list(builtins(), "kubevirt.io", "v1alpha3"));
  CHECK_FALSE(api_resource_list(builtins(), "example.com", "v1"));
}

TEST_CASE("aggregated discovery has the apidiscovery.k8s.io/v2 shape", "[kube][apiserver][resources][discovery]") {
  auto apis = aggregated_discovery(builtins(), false);
  CHECK(apis["kind"] == "APIGroupDiscoveryList");
  CHECK(apis["apiVersion"] == "apidiscovery.k8s.io/v2");
  CHECK(apis["metadata"] == json::object());
  REQUIRE(apis["items"].size() == 3);
  const json* kv = nullptr;
  for (const auto& item : apis["items"])
    if (item["metadata"]["name"] == "kubevirt.io")
      kv = &item;
  REQUIRE(kv != nullptr);
  REQUIRE((*kv)["versions"].size() == 1);
  const auto& version = (*kv)["versions"][0];
  CHECK(version["version"] == "v1");
  CHECK(version["freshness"] == "Current");
  const json* vmi = find_named(version["resources"], "resource", "virtualmachineinstances");
  REQUIRE(vmi != nullptr);
  CHECK(*vmi == json::parse(R"({"resource":"virtualmachineinstances",
    "responseKind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachineInstance"},
    "scope":"Namespaced","singularResource":"virtualmachineinstance",
    "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
    "shortNames":["vmi","vmis"],"categories":["all"],
    "subresources":[{"subresource":"status",
      "responseKind":{"group":"kubevirt.io","version":"v1","kind":"VirtualMachineInstance"},
      "verbs":["get","patch","update"]}]})"));

  auto api = aggregated_discovery(builtins(), true);
  REQUIRE(api["items"].size() == 1);
  CHECK(api["items"][0]["metadata"]["name"] == "");
  const auto& core = api["items"][0]["versions"][0]["resources"];
  const json* nodes = find_named(core, "resource", "nodes");
  REQUIRE(nodes != nullptr);
  CHECK((*nodes)["scope"] == "Cluster");
  const json* pods = find_named(core, "resource", "pods");
  REQUIRE(pods != nullptr);
  const json* binding = find_named((*pods)["subresources"], "subresource", "binding");
  REQUIRE(binding != nullptr);
  CHECK((*binding)["responseKind"] == json::parse(R"({"group":"","version":"v1","kind":"Binding"})"));
}

TEST_CASE("GET /version reports Kubernetes 1.32", "[kube][apiserver][resources][discovery]") {
  auto v = version_info();
  CHECK(v["major"] == "1");
  CHECK(v["minor"] == "32");
  CHECK(v["gitVersion"] == "v1.32.0");
  for (const char* key : {"gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"})
    CHECK(v.contains(key));
  CHECK(v["platform"].get<std::string>().starts_with("linux/"));
  server_version custom;
  custom.platform = "linux/arm64";
  custom.git_commit = "podvisor-0.1.0";
  CHECK(version_info(custom)["platform"] == "linux/arm64");
  CHECK(version_info(custom)["gitCommit"] == "podvisor-0.1.0");
}
