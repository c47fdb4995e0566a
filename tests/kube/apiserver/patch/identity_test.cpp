#include "kube/apiserver/patch/identity.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;
using json = nlohmann::json;

namespace {

json J(std::string_view text) { return json::parse(text); }

const patch_kind vmi_kind{"kubevirt.io", "v1", "VirtualMachineInstance", false};
const patch_kind node_kind{"", "v1", "Node", true};

const json vmi = J(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
  "metadata":{"name":"vm","namespace":"default","uid":"u1"},"spec":{}})");

std::string check(json patched, const json& original = vmi, const patch_kind& kind = vmi_kind) {
  auto e = enforce_identity(original, patched, kind);
  return e ? std::to_string(e->http_code()) + " " + e->message : "ok";
}

} // namespace

TEST_CASE("a patch cannot change an object's identity", "[kube][apiserver][patch][identity]") {
  CHECK(check(vmi) == "ok");

  json v = vmi;
  v["apiVersion"] = "kubevirt.io/v2";
  CHECK(check(v) == "400 the API version in the data (kubevirt.io/v2) does not match the expected API "
                    "version (kubevirt.io/v1)");

  v = vmi;
  v["kind"] = "SomethingElse";
  CHECK(check(v) == "422 SomethingElse.kubevirt.io \"vm\" is invalid: kind: Invalid value: \"SomethingElse\": "
                    "must be VirtualMachineInstance");

  v = vmi;
  v["metadata"]["name"] = "other";
  CHECK(check(v) == "400 the name of the object (other) does not match the name on the URL (vm)");

  v = vmi;
  v["metadata"].erase("name");
  CHECK(check(v) == "400 the name of the object () does not match the name on the URL (vm)");

  v = vmi;
  v["metadata"]["namespace"] = "kube-system";
  CHECK(check(v) == "400 the namespace of the provided object does not match the namespace sent on the request");

  v = vmi;
  v["metadata"]["uid"] = "u2";
  CHECK(check(v) == "422 VirtualMachineInstance.kubevirt.io \"vm\" is invalid: metadata.uid: Invalid value: "
                    "\"u2\": field is immutable");

  json pod = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d","uid":"u"}})");
  json p2 = pod;
  p2["metadata"]["uid"] = "x";
  CHECK(check(p2, pod, patch_kind{"", "v1", "Pod", true})
        == "422 Pod \"p\" is invalid: metadata.uid: Invalid value: \"x\": field is immutable");

  CHECK(check(json::array()) == "422 the patched object is not a JSON object");
}

TEST_CASE("identity fields a patch removed are restored", "[kube][apiserver][patch][identity]") {
  json v = vmi;
  v.erase("apiVersion");
  v.erase("kind");
  v["metadata"].erase("namespace");
  v["metadata"].erase("uid");
  CHECK(check(v) == "ok");
  json restored = v;
  REQUIRE_FALSE(enforce_identity(vmi, restored, vmi_kind));
  CHECK(restored == vmi);

  // Cluster-scoped objects never get a namespace.
  const json node = J(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","uid":"u"}})");
  json with_ns = node;
  with_ns["metadata"]["namespace"] = "default";
  REQUIRE_FALSE(enforce_identity(node, with_ns, node_kind));
  CHECK(with_ns == node);
}
