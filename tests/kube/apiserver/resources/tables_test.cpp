#include "kube/apiserver/resources/tables.hpp"

#include <catch2/catch_test_macros.hpp>

#include "fixtures.hpp"

using namespace podvisor::kube::apiserver;
using testing::at;
using testing::builtin;

namespace {

json vmi(const char* name, const char* ns) {
  return {{"apiVersion", "kubevirt.io/v1"},
          {"kind", "VirtualMachineInstance"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", name}}},
                        {"creationTimestamp", "2024-05-01T12:00:00Z"}, {"resourceVersion", "7"}}},
          {"status", {{"phase", "Running"}}}};
}

table_options options() {
  table_options o;
  o.now = at("2024-05-01T12:05:00Z");
  o.resource_version = "108";
  return o;
}

} // namespace

TEST_CASE("a list becomes a meta.k8s.io/v1 Table", "[kube][apiserver][resources][tables]") {
  auto e = builtin("kubevirt.io", "v1", "virtualmachineinstances");
  REQUIRE(e);
  json list = {{"kind", "VirtualMachineInstanceList"}, {"items", json::array({vmi("a", "default"), vmi("b", "prod")})}};
  auto t = make_table(*e, list, options());
  CHECK(t["kind"] == "Table");
  CHECK(t["apiVersion"] == "meta.k8s.io/v1");
  CHECK(t["metadata"] == json{{"resourceVersion", "108"}});
  REQUIRE(t["columnDefinitions"].size() == 8);
  CHECK(t["columnDefinitions"][0]
        == json::parse(R"({"name":"Name","type":"string","format":"name",
          "description":"Name of the object, unique within its namespace.","priority":0})"));
  CHECK(t["columnDefinitions"][6]["name"] == "Live-Migratable");
  CHECK(t["columnDefinitions"][6]["priority"] == 1);
  REQUIRE(t["rows"].size() == 2);
  const auto& row = t["rows"][1];
  CHECK(row["cells"][0] == "b");
  CHECK(row["cells"][1] == "5m");
  CHECK(row["object"]["kind"] == "PartialObjectMetadata");
  CHECK(row["object"]["apiVersion"] == "meta.k8s.io/v1");
  CHECK(row["object"]["metadata"] == vmi("b", "prod")["metadata"]);
  CHECK_FALSE(row["object"].contains("status"));
}

TEST_CASE("includeObject, single objects, arrays and watch rows", "[kube][apiserver][resources][tables]") {
  auto e = builtin("", "v1", "pods");
  REQUIRE(e);
  json p = {{"metadata", {{"name", "web"}, {"creationTimestamp", "2024-05-01T12:00:00Z"}}},
            {"spec", {{"containers", json::array({{{"name", "c"}}})}}}};
  auto o = options();
  o.include = include_object::object;
  auto t = make_table(*e, p, o);
  REQUIRE(t["rows"].size() == 1);
  CHECK(t["rows"][0]["object"] == p);
  CHECK(t["rows"][0]["cells"].size() == 9);

  o.include = include_object::none;
  o.column_definitions = false;
  o.resource_version.clear();
  o.api_version = "meta.k8s.io/v1beta1";
  t = make_table(*e, json::array({p, p, p}), o);
  CHECK(t["apiVersion"] == "meta.k8s.io/v1beta1");
  CHECK_FALSE(t.contains("columnDefinitions"));
  CHECK(t["metadata"] == json::object());
  REQUIRE(t["rows"].size() == 3);
  CHECK_FALSE(t["rows"][0].contains("object"));

  CHECK(make_table(*e, json::array(), options())["rows"] == json::array());
  CHECK(column_definitions(e->printer).size() == e->printer.columns.size());
  auto row = table_row(*e, p, options());
  CHECK(row["object"]["apiVersion"] == "meta.k8s.io/v1");
}

TEST_CASE("tables of node objects with odd shapes do not throw", "[kube][apiserver][resources][tables]") {
  auto e = builtin("", "v1", "nodes");
  REQUIRE(e);
  json weird = {{"metadata", {{"name", 5}, {"labels", "x"}}},
                {"status", {{"conditions", "no"}, {"addresses", {{"type", 1}}}, {"nodeInfo", 3}}},
                {"spec", {{"unschedulable", "yes"}}}};
  auto t = make_table(*e, json::array({weird, json(nullptr), json::array()}), options());
  REQUIRE(t["rows"].size() == 3);
  CHECK(t["rows"][0]["cells"][0] == "");
  CHECK(t["rows"][0]["cells"][1] == "Unknown");
  CHECK(t["rows"][1]["object"]["metadata"] == json::object());
}
