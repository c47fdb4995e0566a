#include "kube/apiserver/patch/patch.hpp"

#include <chrono>
#include <string>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;
using json = nlohmann::json;

namespace {

json J(std::string_view text) { return json::parse(text); }

const patch_kind vmi_kind{"kubevirt.io", "v1", "VirtualMachineInstance", false};
const patch_kind pod_kind{"", "v1", "Pod", true};

const json vmi = J(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
  "metadata":{"name":"vm","namespace":"default","uid":"u1","resourceVersion":"7"},
  "spec":{"domain":{"devices":{}}},"status":{"phase":"Running"}})");
const json pod = J(R"({"apiVersion":"v1","kind":"Pod",
  "metadata":{"name":"p","namespace":"default","uid":"u2"},
  "spec":{"containers":[{"name":"c","image":"i"}]}})");

std::string error_of(patch_type type, const json& original, std::string_view body, const patch_kind& kind) {
  auto r = apply_patch(type, original, body, kind);
  REQUIRE_FALSE(r);
  return std::to_string(r.error().http_code()) + " " + r.error().message;
}

} // namespace

TEST_CASE("apply_patch dispatches on the patch type", "[kube][apiserver][patch]") {
  auto merged = apply_patch(patch_type::merge_patch, vmi, R"({"metadata":{"labels":{"a":"b"}}})", vmi_kind);
  REQUIRE(merged);
  CHECK_FALSE(merged->created);
  CHECK(merged->object["metadata"]["labels"] == J(R"({"a":"b"})"));

  auto jsonp = apply_patch(patch_type::json_patch, vmi,
                           R"([{"op":"test","path":"/status/phase","value":"Running"},
                               {"op":"replace","path":"/status/phase","value":"Succeeded"}])", vmi_kind);
  REQUIRE(jsonp);
  CHECK(jsonp->object["status"]["phase"] == "Succeeded");

  auto strategic = apply_patch(patch_type::strategic_merge_patch, pod,
                               R"({"spec":{"containers":[{"name":"c","image":"j"}]}})", pod_kind);
  REQUIRE(strategic);
  CHECK(strategic->object["spec"]["containers"] == J(R"([{"name":"c","image":"j"}])"));

  auto applied = apply_patch(patch_type::apply_patch, vmi,
                             R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
                                 "metadata":{"name":"vm","labels":{"x":"y"}}})", vmi_kind);
  REQUIRE(applied);
  CHECK_FALSE(applied->created);
  CHECK(applied->object["metadata"]["labels"] == J(R"({"x":"y"})"));
  CHECK(applied->object["metadata"]["uid"] == "u1");
}

TEST_CASE("server-side apply creates what does not exist; other types answer 404", "[kube][apiserver][patch]") {
  auto created = apply_patch(patch_type::apply_patch, json(),
                             "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
                             "metadata:\n  name: vm\n  labels:\n    app: web\n",
                             vmi_kind);
  REQUIRE(created);
  CHECK(created->created);
  CHECK(created->object == J(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"vm","labels":{"app":"web"}}})"));

  CHECK(error_of(patch_type::merge_patch, json(), "{}", vmi_kind)
        == "404 the server could not find the requested resource");
  CHECK(error_of(patch_type::apply_patch, json(), "a: 1\n---\nb: 2\n", vmi_kind)
        == "400 error decoding YAML: an apply patch holds one object, found 2 documents");
}

TEST_CASE("strategic merge on a custom kind is 415", "[kube][apiserver][patch]") {
  CHECK(error_of(patch_type::strategic_merge_patch, vmi, "{}", vmi_kind)
        == "415 the body of the request was in an unknown format - accepted media types include: "
           "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
}

TEST_CASE("malformed bodies are 400 with the parse error", "[kube][apiserver][patch]") {
  CHECK(error_of(patch_type::merge_patch, vmi, "{", vmi_kind).starts_with("400 error decoding patch: invalid JSON at byte"));
  CHECK(error_of(patch_type::merge_patch, vmi, "", vmi_kind).starts_with("400 error decoding patch: invalid JSON"));
  CHECK(error_of(patch_type::json_patch, vmi, "[{\"op\":", vmi_kind).starts_with("400 invalid JSON at byte"));
  CHECK(error_of(patch_type::strategic_merge_patch, pod, "{\"a\":1}}", pod_kind).starts_with("400 invalid JSON"));
  CHECK(error_of(patch_type::apply_patch, vmi, "a: [1,\n", vmi_kind).starts_with("400 error decoding YAML: "));
  CHECK(error_of(patch_type::json_patch, vmi, "{}", vmi_kind)
        == "400 json: cannot unmarshal object into Go value of type jsonpatch.Patch");
}

TEST_CASE("patches cannot change identity", "[kube][apiserver][patch]") {
  CHECK(error_of(patch_type::merge_patch, vmi, R"({"metadata":{"name":"other"}})", vmi_kind)
        == "400 the name of the object (other) does not match the name on the URL (vm)");
  CHECK(error_of(patch_type::json_patch, vmi, R"([{"op":"replace","path":"/metadata/uid","value":"x"}])", vmi_kind)
        == "422 VirtualMachineInstance.kubevirt.io \"vm\" is invalid: metadata.uid: Invalid value: \"x\": field is "
           "immutable");
  CHECK(error_of(patch_type::merge_patch, vmi, R"({"apiVersion":"kubevirt.io/v2"})", vmi_kind)
        == "400 the API version in the data (kubevirt.io/v2) does not match the expected API version (kubevirt.io/v1)");
  CHECK(error_of(patch_type::strategic_merge_patch, pod, R"({"$patch":"delete"})", pod_kind)
        == "400 the name of the object () does not match the name on the URL (p)");
  auto dropped = apply_patch(patch_type::merge_patch, vmi, R"({"kind":null,"metadata":{"namespace":null}})", vmi_kind);
  REQUIRE(dropped);
  CHECK(dropped->object == vmi);
}

TEST_CASE("deep and huge bodies get errors or results, never crashes", "[kube][apiserver][patch]") {
  const std::string deep_array(200'000, '[');
  CHECK(error_of(patch_type::json_patch, vmi, deep_array, vmi_kind) == "400 JSON nested deeper than 100 levels");
  std::string deep_object;
  for (int i = 0; i < 100'000; ++i)
    deep_object += "{\"a\":";
  CHECK(error_of(patch_type::merge_patch, vmi, deep_object, vmi_kind)
        == "400 error decoding patch: JSON nested deeper than 100 levels");
  CHECK(error_of(patch_type::strategic_merge_patch, pod, deep_object, pod_kind)
        == "400 JSON nested deeper than 100 levels");
  std::string deep_yaml;
  for (int i = 0; i < 1'000; ++i)
    deep_yaml += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
  CHECK(error_of(patch_type::apply_patch, json(), deep_yaml, vmi_kind).starts_with("400 error decoding YAML: "));

  // A stored object that is somehow too deep is refused rather than passed on.
  json too_deep = 1;
  for (int i = 0; i < 150; ++i)
    too_deep = json::array({too_deep});
  json deep_original = vmi;
  deep_original["spec"]["deep"] = too_deep;
  CHECK(error_of(patch_type::merge_patch, deep_original, "{}", vmi_kind)
        == "422 the patched object is nested deeper than 100 levels");

  // Large but shallow bodies are fine, and merging long lists stays linear.
  json labels = json::object();
  for (int i = 0; i < 50'000; ++i)
    labels["label-" + std::to_string(i)] = std::string(40, 'v');
  auto big = apply_patch(patch_type::merge_patch, vmi, json{{"metadata", {{"labels", labels}}}}.dump(), vmi_kind);
  REQUIRE(big);
  CHECK(big->object["metadata"]["labels"].size() == 50'000);

  json env = json::array();
  for (int i = 0; i < 20'000; ++i)
    env.push_back({{"name", "E" + std::to_string(i)}, {"value", "v"}});
  json long_pod = pod;
  long_pod["spec"]["containers"][0]["env"] = env;
  json env_patch = json::array();
  for (int i = 10'000; i < 30'000; ++i)
    env_patch.push_back({{"name", "E" + std::to_string(i)}, {"value", "w"}});
  auto start = std::chrono::steady_clock::now();
  auto merged = apply_patch(patch_type::strategic_merge_patch, long_pod,
                            json{{"spec", {{"containers", {{{"name", "c"}, {"env", env_patch}}}}}}}.dump(), pod_kind);
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(merged);
  CHECK(merged->object["spec"]["containers"][0]["env"].size() == 30'000);
  CHECK(elapsed < std::chrono::seconds(10)); // quadratic merging would take minutes
}
