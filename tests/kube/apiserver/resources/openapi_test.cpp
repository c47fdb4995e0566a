#include "kube/apiserver/resources/openapi.hpp"

#include <set>

#include <catch2/catch_test_macros.hpp>

#include "fixtures.hpp"

using namespace podvisor::kube::apiserver;
using testing::builtins;

namespace {

json gvk_of(const resource_entry& e) {
  return {{"group", e.group}, {"version", e.version}, {"kind", e.kind}};
}

std::string item_path(const resource_entry& e) {
  std::string base = e.group.empty() ? "/api/" + e.version : "/apis/" + e.group + "/" + e.version;
  return base + (e.namespaced ? "/namespaces/{namespace}/" : "/") + e.plural + "/{name}";
}

// Every "$ref" in `node` names an existing components.schemas entry of `doc`.
void check_refs(const json& doc, const json& node, std::set<std::string>& seen) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "$ref") {
        auto ref = it->get<std::string>();
        REQUIRE(ref.starts_with("#/components/schemas/"));
        auto name = ref.substr(std::string("#/components/schemas/").size());
        INFO(name);
        CHECK(doc["components"]["schemas"].contains(name));
        seen.insert(name);
      } else {
        check_refs(doc, *it, seen);
      }
    }
  } else if (node.is_array()) {
    for (const auto& item : node)
      check_refs(doc, item, seen);
  }
}

} // namespace

TEST_CASE("the OpenAPI v3 root points at one document per group-version", "[kube][apiserver][resources][openapi]") {
  auto index = build_openapi(builtins());
  auto root = index.root();
  REQUIRE(root["paths"].size() == 4);
  for (const char* path : {"api/v1", "apis/kubevirt.io/v1", "apis/coordination.k8s.io/v1", "apis/apiextensions.k8s.io/v1"}) {
    INFO(path);
    REQUIRE(root["paths"].contains(path));
    auto url = root["paths"][path]["serverRelativeURL"].get<std::string>();
    const auto* doc = index.find(path);
    REQUIRE(doc != nullptr);
    CHECK(url == "/openapi/v3/" + std::string(path) + "?hash=" + doc->hash);
    CHECK(index.find("/" + std::string(path)) == doc);
    CHECK(doc->body == doc->document.dump());
    CHECK(doc->document["openapi"] == "3.0.0");
  }
  CHECK(index.find("apis/example.com/v1") == nullptr);
  CHECK(index.generation == builtins().generation);
}

TEST_CASE("every kind has a schema with its GVK and ObjectMeta by reference", "[kube][apiserver][resources][openapi]") {
  auto index = build_openapi(builtins());
  for (const auto& e : builtins().entries) {
    INFO(e->kind);
    auto path = e->group.empty() ? "api/" + e->version : "apis/" + e->group + "/" + e->version;
    const auto* doc = index.find(path);
    REQUIRE(doc != nullptr);
    const auto& schemas = doc->document["components"]["schemas"];
    REQUIRE(schemas.contains(e->schema_name));
    const auto& s = schemas[e->schema_name];
    CHECK(s["type"] == "object");
    CHECK(s["x-kubernetes-group-version-kind"]
          == json::array({{{"group", e->group}, {"kind", e->kind}, {"version", e->version}}}));
    CHECK(s["properties"]["apiVersion"]["type"] == "string");
    CHECK(s["properties"]["kind"]["type"] == "string");
    CHECK(s["properties"]["metadata"]["allOf"][0]["$ref"]
          == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    CHECK_FALSE(s["description"].get<std::string>().empty());
    REQUIRE(schemas.contains(e->schema_name + "List"));
  }
}

TEST_CASE("PATCH operations carry fieldValidation at operation level", "[kube][apiserver][resources][openapi]") {
  auto index = build_openapi(builtins());
  for (const auto& e : builtins().entries) {
    INFO(e->kind);
    auto path = e->group.empty() ? "api/" + e->version : "apis/" + e->group + "/" + e->version;
    const auto& paths = index.find(path)->document["paths"];
    REQUIRE(paths.contains(item_path(*e)));
    const auto& item = paths[item_path(*e)];
    for (const char* method : {"get", "put", "patch", "delete"}) {
      INFO(method);
      REQUIRE(item.contains(method));
      CHECK(item[method]["x-kubernetes-group-version-kind"] == gvk_of(*e));
    }
    const auto& patch = item["patch"];
    bool found = false;
    for (const auto& p : patch["parameters"])
      if (p["name"] == "fieldValidation" && p["in"] == "query")
        found = true;
    CHECK(found);
    for (const auto& p : item["parameters"])
      CHECK(p["name"] != "fieldValidation");
    std::set<std::string> types;
    for (auto it = patch["requestBody"]["content"].begin(); it != patch["requestBody"]["content"].end(); ++it)
      types.insert(it.key());
    CHECK(types == std::set<std::string>{"application/json-patch+json", "application/merge-patch+json",
                                         "application/apply-patch+yaml"});
    auto collection = item_path(*e).substr(0, item_path(*e).size() - std::string("/{name}").size());
    REQUIRE(paths.contains(collection));
    CHECK(paths[collection]["post"]["x-kubernetes-group-version-kind"] == gvk_of(*e));
    CHECK(paths[collection]["get"]["x-kubernetes-action"] == "list");
    for (const auto& s : e->subresources)
      CHECK(paths.contains(item_path(*e) + "/" + s.name));
  }
}

TEST_CASE("documents are self-contained and explain can walk them", "[kube][apiserver][resources][openapi]") {
  auto index = build_openapi(builtins());
  for (const auto& doc : index.documents) {
    INFO(doc.path);
    std::set<std::string> seen;
    check_refs(doc.document, doc.document, seen);
    CHECK(seen.contains("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  }
  const auto& vmi = index.find("apis/kubevirt.io/v1")->document["components"]["schemas"]["io.kubevirt.v1.VirtualMachineInstance"];
  const auto& domain = vmi["properties"]["spec"]["properties"]["domain"];
  CHECK(domain["type"] == "object");
  CHECK(domain["properties"].contains("devices"));
  CHECK(domain["properties"].contains("cpu"));
  const auto& pod = index.find("api/v1")->document["components"]["schemas"]["io.k8s.api.core.v1.Pod"];
  CHECK(pod["properties"]["spec"]["properties"]["containers"]["type"] == "array");
  CHECK(index.find("api/v1")->document["paths"].contains("/api/v1/namespaces/{namespace}/pods/{name}/binding"));
  CHECK(index.find("api/v1")->document["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]["operationId"]
        == "patchCoreV1NamespacedPod");
  CHECK(index.find("apis/kubevirt.io/v1")->document["paths"].contains("/apis/kubevirt.io/v1/virtualmachineinstances"));
  CHECK(index.find("api/v1")->document["paths"]["/api/v1/nodes/{name}"]["patch"]["operationId"]
        == "patchCoreV1Node");
}

TEST_CASE("registering a CRD adds a document and changes no other hash", "[kube][apiserver][resources][openapi]") {
  resource_registry registry{builtin_resources()};
  auto before = build_openapi(registry.snapshot());
  REQUIRE(registry.apply_crd(testing::sample_crd()).ok());
  auto after = build_openapi(registry.snapshot());
  CHECK(after.generation > before.generation);
  const auto* doc = after.find("apis/example.com/v1");
  REQUIRE(doc != nullptr);
  const auto& foo = doc->document["components"]["schemas"]["com.example.v1.Foo"];
  CHECK(foo["properties"]["spec"]["properties"]["color"]["type"] == "string");
  CHECK(foo["x-kubernetes-group-version-kind"][0]["kind"] == "Foo");
  CHECK(doc->document["paths"].contains("/apis/example.com/v1/namespaces/{namespace}/foos/{name}/status"));
  CHECK(after.find("api/v1")->hash == before.find("api/v1")->hash);
}
