#include "kube/apiserver/patch/apply.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;
using json = nlohmann::json;

namespace {

json J(std::string_view text) { return json::parse(text); }

const patch_kind vmi_kind{"kubevirt.io", "v1", "VirtualMachineInstance", false};
const patch_kind pod_kind{"", "v1", "Pod", true};

} // namespace

TEST_CASE("server-side apply creates from the configuration", "[kube][apiserver][patch][apply]") {
  auto config = J(R"({"apiVersion":"kubevirt.io/v1","metadata":{"name":"vm","labels":{"a":"b","c":null}},
    "spec":{"domain":{"devices":{}}}})");
  auto created = apply_configuration(json(), config, vmi_kind);
  REQUIRE(created);
  CHECK(*created == J(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"vm","labels":{"a":"b"}},"spec":{"domain":{"devices":{}}}})"));
}

TEST_CASE("server-side apply merges into the stored object", "[kube][apiserver][patch][apply]") {
  const json stored = J(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"p","namespace":"d","uid":"u","labels":{"keep":"1"},"finalizers":["x"]},
    "spec":{"containers":[{"name":"a","image":"a:1","env":[{"name":"E","value":"1"}]},{"name":"b","image":"b:1"}],
            "tolerations":[{"key":"t1"}]},
    "status":{"phase":"Running"}})");
  auto config = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"new":"2"},"finalizers":["y"]},
    "spec":{"containers":[{"name":"a","image":"a:2","env":[{"name":"F","value":"2"}]}],"tolerations":[{"key":"t2"}]}})");
  auto merged = apply_configuration(stored, config, pod_kind);
  REQUIRE(merged);
  const auto& m = *merged;
  CHECK(m["metadata"]["labels"] == J(R"({"keep":"1","new":"2"})"));
  CHECK(m["metadata"]["finalizers"] == J(R"(["y","x"])"));
  CHECK(m["metadata"]["uid"] == "u");
  REQUIRE(m["spec"]["containers"].size() == 2);
  CHECK(m["spec"]["containers"][0]["image"] == "a:2");
  CHECK(m["spec"]["containers"][0]["env"] == J(R"([{"name":"F","value":"2"},{"name":"E","value":"1"}])"));
  CHECK(m["spec"]["containers"][1]["name"] == "b"); // no managedFields: b is not removed
  CHECK(m["spec"]["tolerations"] == J(R"([{"key":"t2"}])"));
  CHECK(m["status"]["phase"] == "Running");

  // Custom kinds merge maps but replace lists (their CRDs declare no list keys).
  const json vm = J(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"vm"},
    "spec":{"volumes":[{"name":"a"},{"name":"b"}],"domain":{"cpu":{"cores":1}}}})");
  auto vm_merged = apply_configuration(vm, J(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"vm"},"spec":{"volumes":[{"name":"c"}],"domain":{"memory":{"guest":"1Gi"}}}})"), vmi_kind);
  REQUIRE(vm_merged);
  CHECK((*vm_merged)["spec"] == J(R"({"volumes":[{"name":"c"}],"domain":{"cpu":{"cores":1},"memory":{"guest":"1Gi"}}})"));
}

TEST_CASE("server-side apply checks version and managedFields", "[kube][apiserver][patch][apply]") {
  auto wrong = apply_configuration(json(), J(R"({"apiVersion":"kubevirt.io/v1alpha3","metadata":{"name":"vm"}})"),
                                   vmi_kind);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().http_code() == 400);
  CHECK(wrong.error().message
        == "Incorrect version specified in apply patch. Specified patch version: kubevirt.io/v1alpha3, expected: "
           "kubevirt.io/v1");

  auto missing = apply_configuration(json(), J(R"({"metadata":{"name":"vm"}})"), vmi_kind);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message
        == "Incorrect version specified in apply patch. Specified patch version: , expected: kubevirt.io/v1");

  auto managed = apply_configuration(
    json(), J(R"({"apiVersion":"kubevirt.io/v1","metadata":{"name":"vm","managedFields":[{"manager":"x"}]}})"),
    vmi_kind);
  REQUIRE_FALSE(managed);
  CHECK(managed.error().message == "metadata.managedFields must be nil");

  auto not_object = apply_configuration(json(), J("[1]"), vmi_kind);
  REQUIRE_FALSE(not_object);
  CHECK(not_object.error().message
        == "error decoding YAML: json: cannot unmarshal array into Go value of type map[string]interface {}");
}
