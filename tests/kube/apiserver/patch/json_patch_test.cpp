// RFC 6902 behaviour (cases written to cover what the RFC's Appendix A examples show) and
// the edge cases where kube-apiserver's evanphx/json-patch decides.

#include "kube/apiserver/patch/json_patch.hpp"

#include <string>

#include <catch2/catch_test_macros.hpp>

#include "kube/api/json_text.hpp"

using namespace podvisor::kube::apiserver;
using json = nlohmann::json;

namespace {

json J(std::string_view text) { return json::parse(text); }

std::string outcome(std::string_view doc, std::string_view patch) {
  auto r = apply_json_patch(J(doc), J(patch));
  if (!r)
    return std::to_string(r.error().http_code()) + " " + r.error().message;
  return r->dump();
}

} // namespace

TEST_CASE("JSON patch operations follow RFC 6902", "[kube][apiserver][patch][json_patch]") {
  struct row {
    std::string_view name, doc, patch, result;
  };
  const row rows[] = {
    {"add an object member", R"({"a":"x"})", R"([{"op":"add","path":"/b","value":"y"}])", R"({"a":"x","b":"y"})"},
    {"add an array element", R"({"a":["x","z"]})", R"([{"op":"add","path":"/a/1","value":"y"}])",
     R"({"a":["x","y","z"]})"},
    {"remove an object member", R"({"a":"x","b":"y"})", R"([{"op":"remove","path":"/b"}])", R"({"a":"x"})"},
    {"remove an array element", R"({"a":["x","y","z"]})", R"([{"op":"remove","path":"/a/1"}])",
     R"({"a":["x","z"]})"},
    {"replace a value", R"({"a":"x","b":"y"})", R"([{"op":"replace","path":"/b","value":"z"}])",
     R"({"a":"x","b":"z"})"},
    {"move a value", R"({"a":{"b":"x","c":"y"},"d":{"e":"z"}})", R"([{"op":"move","from":"/a/b","path":"/d/b"}])",
     R"({"a":{"c":"y"},"d":{"b":"x","e":"z"}})"},
    {"move an array element", R"({"a":["w","x","y","z"]})", R"([{"op":"move","from":"/a/1","path":"/a/3"}])",
     R"({"a":["w","y","z","x"]})"},
    {"test success", R"({"a":"x","b":[1,2,{"c":3}]})",
     R"([{"op":"test","path":"/a","value":"x"},{"op":"test","path":"/b","value":[1,2,{"c":3}]}])",
     R"({"a":"x","b":[1,2,{"c":3}]})"},
    {"add a nested member object", R"({"a":"x"})", R"([{"op":"add","path":"/b","value":{"c":"y"}}])",
     R"({"a":"x","b":{"c":"y"}})"},
    {"unrecognized members are ignored", R"({"a":"x"})", R"([{"op":"add","path":"/b","value":"y","xyz":123}])",
     R"({"a":"x","b":"y"})"},
    {"~ escapes", R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10},{"op":"add","path":"/~1","value":1}])",
     R"({"/":1,"~1":10})"},
    {"add an array value", R"({"a":["x"]})", R"([{"op":"add","path":"/a/-","value":["y","z"]}])",
     R"({"a":["x",["y","z"]]})"},
    {"add replaces an existing member", R"({"a":1})", R"([{"op":"add","path":"/a","value":2}])", R"({"a":2})"},
    {"copy", R"({"a":{"b":1}})", R"([{"op":"copy","from":"/a","path":"/c"}])", R"({"a":{"b":1},"c":{"b":1}})"},
    {"operations apply in order", R"({})",
     R"([{"op":"add","path":"/a","value":[]},{"op":"add","path":"/a/-","value":1},{"op":"add","path":"/a/0","value":0}])",
     R"({"a":[0,1]})"},
    {"numbers compare as numbers", R"({"a":1})", R"([{"op":"test","path":"/a","value":1.0}])", R"({"a":1})"},
    {"null patch does nothing", R"({"a":1})", "null", R"({"a":1})"},
    {"empty patch does nothing", R"({"a":1})", "[]", R"({"a":1})"},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    CHECK(outcome(r.doc, r.patch) == J(r.result).dump());
  }
}

TEST_CASE("JSON patch edge cases behave as on kube-apiserver", "[kube][apiserver][patch][json_patch]") {
  struct row {
    std::string_view name, doc, patch, result;
  };
  const row rows[] = {
    // evanphx counts add positions over the grown array: -1 is the new last element.
    {"negative index counts from the end (add)", R"({"a":[1,2]})", R"([{"op":"add","path":"/a/-1","value":9}])",
     R"({"a":[1,2,9]})"},
    {"negative index counts from the end (add, -2)", R"({"a":[1,2]})", R"([{"op":"add","path":"/a/-2","value":9}])",
     R"({"a":[1,9,2]})"},
    {"too negative an index", R"({"a":[1,2]})", R"([{"op":"add","path":"/a/-4","value":9}])", ""},
    {"negative index counts from the end (remove)", R"({"a":[1,2,3]})", R"([{"op":"remove","path":"/a/-1"}])",
     R"({"a":[1,2]})"},
    {"index with a plus sign and leading zero", R"({"a":[1,2]})", R"([{"op":"add","path":"/a/+01","value":9}])",
     R"({"a":[1,9,2]})"},
    {"add at the end by index", R"({"a":[1]})", R"([{"op":"add","path":"/a/1","value":2}])", R"({"a":[1,2]})"},
    {"replace of a missing member adds it", R"({"metadata":{}})",
     R"([{"op":"replace","path":"/metadata/labels","value":{"a":"b"}}])", R"({"metadata":{"labels":{"a":"b"}}})"},
    {"add without value adds null", R"({})", R"([{"op":"add","path":"/a"}])", R"({"a":null})"},
    {"test of a missing member against null", R"({})", R"([{"op":"test","path":"/a","value":null}])", R"({})"},
    {"member named empty", R"({})", R"([{"op":"add","path":"/","value":1}])", R"({"":1})"},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    if (r.result.empty())
      CHECK(outcome(r.doc, r.patch)
            == "422 error in add for path: '/a/-4': Unable to access invalid index: -4: invalid index referenced");
    else
      CHECK(outcome(r.doc, r.patch) == J(r.result).dump());
  }
}

TEST_CASE("JSON patch failures are 422 with evanphx's messages", "[kube][apiserver][patch][json_patch]") {
  struct row {
    std::string_view doc, patch, error;
  };
  const row rows[] = {
    {R"({"a":"x"})", R"([{"op":"test","path":"/a","value":"y"}])", "422 testing value /a failed: test failed"},
    {R"({"a":"10"})", R"([{"op":"test","path":"/a","value":10}])", "422 testing value /a failed: test failed"},
    {R"({"a":1})", R"([{"op":"test","path":"/b","value":1}])", "422 testing value /b failed: test failed"},
    {R"({"a":"x"})", R"([{"op":"add","path":"/b/c","value":1}])",
     "422 add operation does not apply: doc is missing path: \"/b/c\": missing value"},
    {R"({"a":"x"})", R"([{"op":"add","path":"b","value":1}])",
     "422 add operation does not apply: doc is missing path: \"b\": missing value"},
    {R"({"a":"x"})", R"([{"op":"add","path":"","value":1}])",
     "422 add operation does not apply: doc is missing path: \"\": missing value"},
    {R"({"a":[1]})", R"([{"op":"add","path":"/a/5","value":1}])",
     "422 error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"},
    {R"({"a":[1]})", R"([{"op":"add","path":"/a/x","value":1}])",
     "422 error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": "
     "invalid syntax"},
    {R"({"a":"x"})", R"([{"op":"remove","path":"/b"}])",
     "422 error in remove for path: '/b': Unable to remove nonexistent key: b: missing value"},
    {R"({"a":[1]})", R"([{"op":"remove","path":"/a/-"}])",
     "422 error in remove for path: '/a/-': strconv.Atoi: parsing \"-\": invalid syntax"},
    {R"({"a":[1]})", R"([{"op":"remove","path":"/a/1"}])",
     "422 error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced"},
    {R"({"a":[1]})", R"([{"op":"replace","path":"/a/3","value":1}])",
     "422 replace operation does not apply: doc is missing key: /a/3: missing value"},
    {R"({"a":[1]})", R"([{"op":"replace","path":"/b/c","value":1}])",
     "422 replace operation does not apply: doc is missing path: /b/c: missing value"},
    {R"({"a":1})", R"([{"op":"move","from":"/b","path":"/c"}])",
     "422 error in move for path: 'b': Unable to remove nonexistent key: b: missing value"},
    {R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])",
     "422 move operation does not apply: doc is missing destination path: /a/b/c: missing value"},
    {R"({"a":1})", R"([{"op":"copy","from":"/b","path":"/c"}])",
     "422 copy operation does not apply: doc is missing from path: /b: missing value"},
    {R"({"a":1})", R"([{"op":"frobnicate","path":"/a"}])", "422 Unexpected kind: frobnicate"},
    {R"({"a":1})", R"([{"path":"/a"}])", "422 Unexpected kind: unknown"},
    {R"({"a":1})", R"([{"op":"add","value":1}])", "422 add operation failed to decode path: missing value"},
    {R"({"a":1})", R"([{"op":"replace","path":5,"value":1}])",
     "422 replace operation failed to decode path: json: cannot unmarshal number into Go value of type string"},
    {R"({"a":1})", R"([{"op":"move","path":"/b"}])",
     "422 move operation failed to decode from: operation, missing from field: missing value"},
    // A patch that is not an array of operations is a bad request.
    {R"({"a":1})", R"({"op":"add","path":"/b","value":1})",
     "400 json: cannot unmarshal object into Go value of type jsonpatch.Patch"},
    {R"({"a":1})", R"([1])", "400 json: cannot unmarshal number into Go value of type jsonpatch.Operation"},
  };
  for (const auto& r : rows) {
    INFO(r.patch);
    CHECK(outcome(r.doc, r.patch) == r.error);
  }
}

TEST_CASE("a failed operation leaves no partial result", "[kube][apiserver][patch][json_patch]") {
  auto r = apply_json_patch(J(R"({"a":1})"),
                            J(R"([{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":2}])"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == patch_errc::invalid);
}

TEST_CASE("JSON patch limits: operations, copies and depth", "[kube][apiserver][patch][json_patch]") {
  json many = json::array();
  for (std::size_t i = 0; i <= max_json_patch_operations; ++i)
    many.push_back({{"op", "test"}, {"path", "/a"}, {"value", 1}});
  auto too_many = apply_json_patch(J(R"({"a":1})"), many);
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().http_code() == 413);
  CHECK(too_many.error().message
        == "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001");
  many.erase(many.size() - 1);
  CHECK(apply_json_patch(J(R"({"a":1})"), many));

  // Copies are budgeted: forty 1 KiB copies are fine, doubling a list forty times is not.
  json linear = json::array({{{"op", "add"}, {"path", "/x"}, {"value", std::string(1024, 'x')}}});
  for (int i = 0; i < 40; ++i)
    linear.push_back({{"op", "copy"}, {"from", "/x"}, {"path", "/x" + std::to_string(i)}});
  auto copied = apply_json_patch(json::object(), linear);
  REQUIRE(copied);
  CHECK(copied->size() == 41);
  json doubling = json::array({{{"op", "add"}, {"path", "/l"}, {"value", json::array({std::string(1000, 'y')})}}});
  for (int i = 0; i < 40; ++i)
    doubling.push_back({{"op", "copy"}, {"from", "/l"}, {"path", "/l/-"}});
  auto blocked = apply_json_patch(json::object(), doubling);
  REQUIRE_FALSE(blocked);
  CHECK(blocked.error().http_code() == 422);
  CHECK(blocked.error().message.starts_with("Unable to complete the copy, the accumulated size increase of copy is "));
  CHECK(blocked.error().message.ends_with(", exceeding the limit 3145728"));

  // Each operation is checked for depth, so repeated nesting cannot build a document
  // deeper than the parser would ever accept.
  json deep_value = 1;
  for (int i = 0; i < 60; ++i)
    deep_value = json::array({deep_value});
  json nest = json::array({{{"op", "add"}, {"path", "/a"}, {"value", deep_value}}});
  std::string path = "/a";
  for (int i = 0; i < 60; ++i)
    path += "/0";
  nest.push_back({{"op", "add"}, {"path", path}, {"value", deep_value}});
  auto too_deep = apply_json_patch(json::object(), nest);
  REQUIRE_FALSE(too_deep);
  CHECK(too_deep.error().http_code() == 422);
  CHECK(too_deep.error().message.ends_with("would nest the object deeper than 100 levels"));
}
