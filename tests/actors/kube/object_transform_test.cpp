// The building blocks of informer transforms (actors/kube/object_transform.hpp): plain
// functions on JSON, so plain tables.

#include "actors/kube/object_transform.hpp"

#include <stdexcept>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using nlohmann::json;
namespace k = podvisor::actors::kube;

namespace {

json object_with_bookkeeping() {
  return json::parse(R"({
    "metadata": {"name": "a", "namespace": "ns", "uid": "u", "resourceVersion": "7",
                 "managedFields": [{"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:spec": {}}}],
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"spec\":{}}",
                                 "team": "blue"},
                 "labels": {"app": "web"}},
    "spec": {"x": 1}})");
}

} // namespace

TEST_CASE("strip_managed_fields removes only metadata.managedFields", "[actors][kube][transform]") {
  auto o = object_with_bookkeeping();
  auto expected = o;
  expected["metadata"].erase("managedFields");
  k::strip_managed_fields(o);
  CHECK(o == expected);
}

TEST_CASE("strip_bookkeeping also removes kubectl's last-applied annotation, and no other",
          "[actors][kube][transform]") {
  auto o = object_with_bookkeeping();
  k::strip_bookkeeping(o);
  CHECK_FALSE(o["metadata"].contains("managedFields"));
  CHECK(o["metadata"]["annotations"] == json{{"team", "blue"}});
  CHECK(o["metadata"]["labels"] == json{{"app", "web"}});
  CHECK(o["metadata"]["resourceVersion"] == "7");
  CHECK(o["spec"] == json{{"x", 1}});
}

TEST_CASE("the helpers leave what is not an object alone", "[actors][kube][transform]") {
  for (json odd : {json(nullptr), json(3), json("text"), json::array({1, 2}), json{{"metadata", "text"}},
                   json{{"metadata", {{"annotations", json::array()}}}}}) {
    auto before = odd;
    k::strip_bookkeeping(odd);
    k::erase_members(odd, {"metadata"});
    CHECK(odd == (before.is_object() ? json::object() : before));
    odd = before;
    k::keep_members(odd, {"spec"});
    CHECK(odd == (before.is_object() ? json::object() : before));
    odd = before;
    int calls = 0;
    k::for_each_element(odd, "metadata", [&](json&) { ++calls; });
    CHECK(calls == 0);
    CHECK(k::member(odd, "nothing") == nullptr);
  }
}

TEST_CASE("keep_members and erase_members", "[actors][kube][transform]") {
  json o = {{"a", 1}, {"b", 2}, {"c", 3}};
  auto kept = o;
  k::keep_members(kept, {"a", "c", "absent"});
  CHECK(kept == json{{"a", 1}, {"c", 3}});
  k::erase_members(o, {"a", "absent"});
  CHECK(o == json{{"b", 2}, {"c", 3}});
  json list = {{"items", {{{"x", 1}, {"y", 2}}, {{"x", 3}}, 5}}};
  k::for_each_element(list, "items", [](json& e) { k::keep_members(e, {"x"}); });
  CHECK(list == json{{"items", {{{"x", 1}}, {{"x", 3}}, 5}}});
}

TEST_CASE("apply_transform reports a throwing transform instead of throwing", "[actors][kube][transform]") {
  json o = {{"a", 1}};
  CHECK(k::apply_transform(nullptr, o));
  CHECK(o == json{{"a", 1}});
  CHECK(k::apply_transform([](json& x) { x["b"] = 2; }, o));
  CHECK(o == json{{"a", 1}, {"b", 2}});
  CHECK_FALSE(k::apply_transform(
    [](json& x) {
      x.erase("a");
      throw std::runtime_error("boom");
    },
    o));
  CHECK(o == json{{"b", 2}});
}
