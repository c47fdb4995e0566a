#include "kube/apiserver/patch/strategic_merge.hpp"

#include <catch2/catch_test_macros.hpp>

#include "kube/apiserver/patch/strategic_schema.hpp"

using namespace podvisor::kube::apiserver;
using json = nlohmann::json;

namespace {

json J(std::string_view text) { return json::parse(text); }

const json pod = J(R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "p", "namespace": "default", "finalizers": ["a", "b"],
               "labels": {"app": "web"},
               "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
                                    "name": "vm", "uid": "u1"}]},
  "spec": {
    "containers": [
      {"name": "compute", "image": "c:1",
       "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
       "ports": [{"containerPort": 80, "protocol": "TCP"}],
       "volumeMounts": [{"name": "v1", "mountPath": "/a"}]},
      {"name": "sidecar", "image": "s:1"}
    ],
    "volumes": [{"name": "v1", "emptyDir": {}}],
    "tolerations": [{"key": "a", "operator": "Exists"}],
    "nodeSelector": {"zone": "a"}
  },
  "status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}]}
})");

const strategic_schema& pod_schema() { return strategic_schema_for("Pod", true); }

json smp(const json& original, std::string_view patch, const strategic_schema& schema = pod_schema()) {
  auto r = apply_strategic_merge_patch(original, J(patch), schema);
  REQUIRE(r);
  return *r;
}

patch_error smp_error(std::string_view patch) {
  auto r = apply_strategic_merge_patch(pod, J(patch), pod_schema());
  REQUIRE_FALSE(r);
  return r.error();
}

std::vector<std::string> names(const json& list, const char* key = "name") {
  std::vector<std::string> out;
  for (const auto& e : list)
    out.push_back(e.at(key).get<std::string>());
  return out;
}

} // namespace

TEST_CASE("containers merge by name; new ones come first, as in Kubernetes", "[kube][apiserver][patch][strategic]") {
  auto changed = smp(pod, R"({"spec":{"containers":[{"name":"sidecar","image":"s:2"}]}})");
  const auto& containers = changed["spec"]["containers"];
  CHECK(names(containers) == std::vector<std::string>{"compute", "sidecar"});
  CHECK(containers[1]["image"] == "s:2");
  CHECK(containers[0] == pod["spec"]["containers"][0]);

  auto added = smp(pod, R"({"spec":{"containers":[{"name":"extra","image":"e:1"}]}})");
  CHECK(names(added["spec"]["containers"]) == std::vector<std::string>{"extra", "compute", "sidecar"});

  auto ordered = smp(pod, R"({"spec":{"$setElementOrder/containers":[{"name":"compute"},{"name":"extra"},
    {"name":"sidecar"}],"containers":[{"name":"extra","image":"e:1"}]}})");
  CHECK(names(ordered["spec"]["containers"]) == std::vector<std::string>{"compute", "extra", "sidecar"});

  auto reordered = smp(pod, R"({"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"compute"}]}})");
  CHECK(names(reordered["spec"]["containers"]) == std::vector<std::string>{"sidecar", "compute"});
}

TEST_CASE("container lists merge by their own keys", "[kube][apiserver][patch][strategic]") {
  auto out = smp(pod, R"({"spec":{"containers":[{"name":"compute",
    "env":[{"name":"Y","value":"3"},{"name":"Z","value":"4"}],
    "ports":[{"containerPort":80,"name":"http"},{"containerPort":443}],
    "volumeMounts":[{"mountPath":"/a","readOnly":true}]}]}})");
  const auto& c = out["spec"]["containers"][0];
  CHECK(c["env"] == J(R"([{"name":"X","value":"1"},{"name":"Y","value":"3"},{"name":"Z","value":"4"}])"));
  CHECK(c["ports"] == J(R"([{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":443}])"));
  CHECK(c["volumeMounts"] == J(R"([{"name":"v1","mountPath":"/a","readOnly":true}])"));
  CHECK(c["image"] == "c:1");

  auto removed = smp(pod, R"({"spec":{"containers":[{"name":"compute","env":[{"name":"X","$patch":"delete"}]}]}})");
  CHECK(removed["spec"]["containers"][0]["env"] == J(R"([{"name":"Y","value":"2"}])"));

  auto unset = smp(pod, R"({"spec":{"containers":[{"name":"compute","env":[{"name":"Y","value":null}]}]}})");
  CHECK(unset["spec"]["containers"][0]["env"][1] == J(R"({"name":"Y"})"));
}

TEST_CASE("$patch directives delete and replace maps, lists and elements", "[kube][apiserver][patch][strategic]") {
  auto deleted = smp(pod, R"({"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}})");
  CHECK(names(deleted["spec"]["containers"]) == std::vector<std::string>{"compute"});

  auto replaced_list = smp(pod, R"({"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"o"}]}})");
  CHECK(replaced_list["spec"]["containers"] == J(R"([{"name":"only","image":"o"}])"));

  auto replaced_map = smp(pod, R"({"metadata":{"labels":{"$patch":"replace","new":"x"}}})");
  CHECK(replaced_map["metadata"]["labels"] == J(R"({"new":"x"})"));

  auto emptied = smp(pod, R"({"spec":{"nodeSelector":{"$patch":"delete"}}})");
  CHECK(emptied["spec"]["nodeSelector"] == json::object());

  auto owner_gone = smp(pod, R"({"metadata":{"ownerReferences":[{"uid":"u1","$patch":"delete"}]}})");
  CHECK(owner_gone["metadata"]["ownerReferences"] == json::array());
}

TEST_CASE("finalizers merge as a set with the primitive-list directives", "[kube][apiserver][patch][strategic]") {
  auto added = smp(pod, R"({"metadata":{"finalizers":["c","a"]}})");
  CHECK(added["metadata"]["finalizers"] == J(R"(["c","a","b"])"));

  auto ordered = smp(pod, R"({"metadata":{"$setElementOrder/finalizers":["a","b","c"],"finalizers":["c"]}})");
  CHECK(ordered["metadata"]["finalizers"] == J(R"(["a","b","c"])"));

  auto removed = smp(pod, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})");
  CHECK(removed["metadata"]["finalizers"] == J(R"(["b"])"));

  // What kubectl apply sends when "a" was dropped from the manifest and "c" added.
  auto both = smp(pod, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],
    "$setElementOrder/finalizers":["b","c"],"finalizers":["c"]}})");
  CHECK(both["metadata"]["finalizers"] == J(R"(["b","c"])"));

  auto absent = smp(json::object(), R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})");
  CHECK(absent == J(R"({"metadata":{}})"));
}

TEST_CASE("conditions merge by type; lists without a strategy are replaced", "[kube][apiserver][patch][strategic]") {
  auto out = smp(pod, R"({"status":{"conditions":[{"type":"Ready","status":"True","reason":"Up"}]}})");
  CHECK(out["status"]["conditions"]
        == J(R"([{"type":"Ready","status":"True","reason":"Up"},{"type":"PodScheduled","status":"True"}])"));

  auto tolerations = smp(pod, R"({"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}})");
  CHECK(tolerations["spec"]["tolerations"] == J(R"([{"key":"b","operator":"Exists"}])"));

  // Custom kinds only know ObjectMeta's rules: their conditions are replaced.
  const json vmi = J(R"({"metadata":{"name":"vm","finalizers":["x"]},
    "status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Paused","status":"True"}]}})");
  const auto& meta_only = strategic_schema_for("VirtualMachineInstance", false);
  auto replaced = smp(vmi, R"({"status":{"conditions":[{"type":"Ready","status":"True"}]},
    "metadata":{"finalizers":["y"]}})", meta_only);
  CHECK(replaced["status"]["conditions"] == J(R"([{"type":"Ready","status":"True"}])"));
  CHECK(replaced["metadata"]["finalizers"] == J(R"(["y","x"])"));

  const json node = J(R"({"spec":{"podCIDRs":["10.0.0.0/24"]},
    "status":{"conditions":[{"type":"Ready","status":"False"}],"addresses":[{"type":"InternalIP","address":"1.2.3.4"}]}})");
  auto node_out = smp(node, R"({"spec":{"podCIDRs":["fd00::/64"]},"status":{"conditions":[{"type":"Ready","status":"True"}],
    "addresses":[{"type":"Hostname","address":"n1"}]}})", strategic_schema_for("Node", true));
  CHECK(node_out["spec"]["podCIDRs"] == J(R"(["fd00::/64","10.0.0.0/24"])"));
  CHECK(node_out["status"]["conditions"] == J(R"([{"type":"Ready","status":"True"}])"));
  CHECK(names(node_out["status"]["addresses"], "type") == std::vector<std::string>{"Hostname", "InternalIP"});
}

TEST_CASE("maps merge, nulls delete, and $retainKeys prunes", "[kube][apiserver][patch][strategic]") {
  auto out = smp(pod, R"({"metadata":{"labels":{"app":null,"env":"prod"},"annotations":{"a":"1","gone":null}}})");
  CHECK(out["metadata"]["labels"] == J(R"({"env":"prod"})"));
  CHECK(out["metadata"]["annotations"] == J(R"({"a":"1"})")); // nulls in new maps are not kept
  CHECK(smp(pod, "null") == pod);

  auto retained = smp(pod, R"({"spec":{"volumes":[{"name":"v1","$retainKeys":["name","hostPath"],
    "hostPath":{"path":"/x"}}]}})");
  CHECK(retained["spec"]["volumes"] == J(R"([{"name":"v1","hostPath":{"path":"/x"}}])"));
}

TEST_CASE("malformed strategic merge patches are rejected", "[kube][apiserver][patch][strategic]") {
  struct row {
    std::string_view patch;
    int code;
    std::string_view message;
  };
  const row rows[] = {
    {R"({"spec":{"containers":[{"image":"x"}]}})", 400,
     R"(map: {"image":"x"} does not contain declared merge key: name)"},
    {R"({"spec":{"containers":[{"$patch":"merge"}]}})", 400, "merging lists cannot yet be specified in the patch"},
    {R"({"spec":{"containers":[{"name":"a","$patch":"bogus"}]}})", 400,
     R"(unknown patch type: bogus in map: {"$patch":"bogus","name":"a"})"},
    {R"({"spec":{"$patch":"bogus"}})", 400, R"(unknown patch type: bogus in map: {"$patch":"bogus"})"},
    {R"({"spec":{"containers":[["a"]]}})", 422, "lists of lists are not supported"},
    {R"({"spec":{"containers":[{"name":"a"},"b"]}})", 400,
     "the elements of the list spec.containers are not all of one type"},
    {R"({"spec":{"$setElementOrder/containers":{"name":"a"}}})", 400, "invalid patch format of setElementOrder list"},
    {R"({"spec":{"$setElementOrderX":[]}})", 400, "invalid patch format of setElementOrder list"},
    {R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})", 400, "invalid patch format of primitive list"},
    {R"({"spec":{"volumes":[{"name":"v1","$retainKeys":["name"],"hostPath":{}}]}})", 400,
     "invalid patch format of retainKeys"},
    {R"({"spec":{"$setElementOrder/containers":[{"name":"sidecar"}],"containers":[{"name":"compute"}]}})", 400,
     "The order in patch list:\n[{\"name\":\"compute\"}]\n doesn't match $setElementOrder list:\n[{\"name\":\"sidecar\"}]\n"},
  };
  for (const auto& r : rows) {
    INFO(r.patch);
    auto e = smp_error(r.patch);
    CHECK(e.http_code() == r.code);
    CHECK(e.message == r.message);
  }
  auto array = apply_strategic_merge_patch(pod, J("[1]"), pod_schema());
  REQUIRE_FALSE(array);
  CHECK(array.error().message == "json: cannot unmarshal array into Go value of type map[string]interface {}");
}
