#include "kube/apiserver/patch/merge_patch.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;
using json = nlohmann::json;

namespace {

json J(std::string_view text) { return json::parse(text); }

} // namespace

TEST_CASE("merge patch follows the RFC 7386 examples", "[kube][apiserver][patch][merge_patch]") {
  // RFC 7386 Appendix A, for every row whose patch is an object (the API server refuses
  // other patches, see below).
  struct row {
    std::string_view original, patch, result;
  };
  const row rows[] = {
    {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
    {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
    {R"({"a":"b"})", R"({"a":null})", R"({})"},
    {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
    {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
    {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
    {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
    {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
    {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
    {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
    {R"({"a":{"b":1}})", R"({"a":{}})", R"({"a":{"b":1}})"},
    {R"({"a":{"b":1}})", R"({})", R"({"a":{"b":1}})"},
  };
  for (const auto& r : rows) {
    INFO(r.patch);
    auto out = apply_merge_patch(J(r.original), J(r.patch));
    REQUIRE(out);
    CHECK(*out == J(r.result));
  }
}

TEST_CASE("kubectl label and annotate send merge patches", "[kube][apiserver][patch][merge_patch]") {
  const json vmi = J(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"vm","namespace":"default","labels":{"app":"web","tier":"fe"},
      "annotations":{"note":"x"}},"spec":{"domain":{"devices":{}}}})");
  // kubectl label vmi vm env=prod
  auto labelled = apply_merge_patch(vmi, J(R"({"metadata":{"labels":{"env":"prod"}}})"));
  REQUIRE(labelled);
  CHECK(labelled->at("metadata").at("labels") == J(R"({"app":"web","tier":"fe","env":"prod"})"));
  // kubectl label vmi vm tier-
  auto unlabelled = apply_merge_patch(vmi, J(R"({"metadata":{"labels":{"tier":null}}})"));
  REQUIRE(unlabelled);
  CHECK(unlabelled->at("metadata").at("labels") == J(R"({"app":"web"})"));
  // kubectl annotate vmi vm --overwrite note=y other=z
  auto annotated = apply_merge_patch(vmi, J(R"({"metadata":{"annotations":{"note":"y","other":"z"}}})"));
  REQUIRE(annotated);
  CHECK(annotated->at("metadata").at("annotations") == J(R"({"note":"y","other":"z"})"));
  // Everything else is untouched.
  json rest = *annotated;
  rest["metadata"]["annotations"] = vmi["metadata"]["annotations"];
  CHECK(rest == vmi);
  // Lists are replaced, never merged.
  auto finalizers = apply_merge_patch(J(R"({"metadata":{"finalizers":["a","b"]}})"),
                                      J(R"({"metadata":{"finalizers":["c"]}})"));
  REQUIRE(finalizers);
  CHECK(finalizers->at("metadata").at("finalizers") == J(R"(["c"])"));
}

TEST_CASE("merge patches that are not objects are refused like kube-apiserver", "[kube][apiserver][patch][merge_patch]") {
  auto array = apply_merge_patch(J(R"({"a":1})"), J(R"(["c"])"));
  REQUIRE_FALSE(array);
  CHECK(array.error().http_code() == 400);
  CHECK(array.error().message
        == "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}");
  auto string = apply_merge_patch(J(R"({"a":1})"), J(R"("bar")"));
  REQUIRE_FALSE(string);
  CHECK(string.error().message
        == "error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}");
  auto null = apply_merge_patch(J(R"({"a":1})"), json());
  REQUIRE_FALSE(null);
  CHECK(null.error().code == patch_errc::bad_request);
  CHECK(null.error().message == "Invalid JSON Patch");
}
