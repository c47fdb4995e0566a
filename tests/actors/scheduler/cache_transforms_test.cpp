// What the scheduler's caches keep (actors/scheduler/cache_transforms.hpp): the decoded
// view of a pod decodes, and the scheduler decides the same for it, and with it placed
// on nodes, as for the whole pod.

#include "actors/scheduler/cache_transforms.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "actors/scheduler/pod_rules.hpp"
#include "kube/api/codec.hpp"
#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/scheduler/node_info.hpp"
#include "kube/scheduler/resources.hpp"
#include "kube/scheduler/scheduler.hpp"

using nlohmann::json;
namespace api = podvisor::kube::api;
namespace ks = podvisor::kube::scheduler;
using podvisor::actors::scheduler::node_view;
using podvisor::actors::scheduler::pod_view;

namespace {

/// A launcher-like pod with everything the scheduler reads and much it does not.
json full_pod(const std::string& name, const std::string& node = "") {
  json p = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"namespace": "prod", "uid": "u", "resourceVersion": "5",
                 "labels": {"kubevirt.io": "virt-launcher", "app": "web"},
                 "annotations": {"kubevirt.io/domain": "web", "kubectl.kubernetes.io/last-applied-configuration": "{}"},
                 "ownerReferences": [{"kind": "VirtualMachineInstance", "name": "web", "uid": "v", "controller": true}],
                 "managedFields": [{"manager": "podvisor-controller", "operation": "Update"}]},
    "spec": {
      "schedulerName": "default-scheduler",
      "nodeSelector": {"podvisor.io/schedulable": "true"},
      "tolerations": [{"key": "devices.kubevirt.io/kvm", "operator": "Exists", "effect": "NoSchedule"}],
      "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}},
      "initContainers": [{"name": "init", "image": "busybox", "command": ["true"],
                          "resources": {"requests": {"cpu": "2", "memory": "64Mi"}}}],
      "containers": [{"name": "compute", "image": "podvisor-launcher",
                      "command": ["/bin/sh", "-c", "exec podvisor-launcher"],
                      "env": [{"name": "PODVISOR_VMI_JSON", "value": "{\"spec\":{\"domain\":{}}}"}],
                      "volumeMounts": [{"name": "private", "mountPath": "/var/run/kubevirt-private"}],
                      "resources": {"requests": {"cpu": "500m", "memory": "358528Ki"},
                                    "limits": {"devices.kubevirt.io/kvm": "1"}}}],
      "volumes": [{"name": "private", "emptyDir": {}}],
      "restartPolicy": "Never", "terminationGracePeriodSeconds": 30},
    "status": {"phase": "Pending", "qosClass": "Burstable",
               "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "m"}],
               "containerStatuses": [{"name": "compute", "ready": false, "state": {"waiting": {}}}]}
  })");
  p["metadata"]["name"] = name;
  if (!node.empty())
    p["spec"]["nodeName"] = node;
  return p;
}

api::pod decoded(const json& j) {
  auto d = api::decode<api::pod>(j);
  REQUIRE(d.ok());
  return d.value;
}

api::node make_node(const std::string& name, const std::string& cpu, const std::string& memory) {
  auto d = api::decode<api::node>(json{
    {"apiVersion", "v1"},
    {"kind", "Node"},
    {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}, {"podvisor.io/schedulable", "true"}}}}},
    {"status",
     {{"allocatable", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}, {"devices.kubevirt.io/kvm", "110"}}},
      {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
  REQUIRE(d.ok());
  return d.value;
}

json view(json j, void (*transform)(json&)) {
  transform(j);
  return j;
}

} // namespace

TEST_CASE("scheduler cache transforms: the pod view keeps what the scheduler reads", "[actors][scheduler][transform]") {
  auto whole = full_pod("web");
  auto v = view(whole, pod_view);
  CHECK(v["metadata"]["labels"] == whole["metadata"]["labels"]);
  CHECK(v["metadata"]["uid"] == "u");
  CHECK(v["metadata"]["resourceVersion"] == "5");
  CHECK_FALSE(v["metadata"].contains("managedFields"));
  CHECK_FALSE(v["metadata"].contains("annotations"));
  for (const char* field : {"schedulerName", "nodeSelector", "tolerations", "affinity", "restartPolicy"})
    CHECK(v["spec"][field] == whole["spec"][field]);
  CHECK(v["spec"]["containers"] == json{{{"name", "compute"},
                                         {"image", "podvisor-launcher"},
                                         {"resources", whole["spec"]["containers"][0]["resources"]}}});
  CHECK(v["spec"]["initContainers"][0].size() == 3);
  CHECK_FALSE(v["spec"].contains("volumes"));
  CHECK(v["status"]["conditions"] == whole["status"]["conditions"]);
  CHECK_FALSE(v["status"].contains("containerStatuses"));

  using namespace podvisor::actors::scheduler;
  CHECK(needs_scheduling(v, "default-scheduler") == needs_scheduling(whole, "default-scheduler"));
  CHECK(has_unschedulable_condition(v, "m"));
  CHECK(ks::pod_requests(decoded(v)) == ks::pod_requests(decoded(whole)));
  CHECK(ks::pod_requests(decoded(v), ks::request_mode::non_zero) ==
        ks::pod_requests(decoded(whole), ks::request_mode::non_zero));
}

TEST_CASE("scheduler cache transforms: the same decisions from views as from whole pods",
          "[actors][scheduler][transform]") {
  // Three nodes; pods already placed (one of them anti-affine with the new pod) as
  // views or whole; the decision for a new pod, as a view or whole, must not differ.
  auto snapshot_of = [](bool views) {
    ks::cluster_snapshot s;
    s.nodes.push_back(ks::make_node_info(make_node("a", "4", "4Gi")));
    s.nodes.push_back(ks::make_node_info(make_node("b", "4", "4Gi")));
    s.nodes.push_back(ks::make_node_info(make_node("c", "1", "1Gi")));
    auto placed = [&](const std::string& name, const std::string& node) {
      auto j = full_pod(name, node);
      return decoded(views ? view(j, pod_view) : j);
    };
    s.nodes[0].add_pod(placed("web-0", "a"));
    s.nodes[1].add_pod(placed("web-1", "b"));
    return s;
  };
  auto whole = ks::schedule(decoded(full_pod("web-2")), snapshot_of(false));
  auto viewed = ks::schedule(decoded(view(full_pod("web-2"), pod_view)), snapshot_of(true));
  CHECK(whole.node == viewed.node);
  CHECK(whole.feasible == viewed.feasible);
  CHECK(whole.message == viewed.message);
  CHECK(whole.unfit.size() == viewed.unfit.size());
  CHECK_FALSE(whole.message.empty()); // anti-affinity on a and b, too small c: a real refusal

  // Without the anti-affinity term, and not labelled app=web (the placed pods' own
  // term), the pod fits: the same node either way.
  auto loose = full_pod("db-0");
  loose["spec"].erase("affinity");
  loose["metadata"]["labels"].erase("app");
  auto a = ks::schedule(decoded(loose), snapshot_of(false));
  auto b = ks::schedule(decoded(view(loose, pod_view)), snapshot_of(true));
  INFO(a.message);
  REQUIRE(a.scheduled());
  CHECK(a.node == b.node);
  CHECK(a.feasible == b.feasible);
}

TEST_CASE("scheduler cache transforms: the node view drops bookkeeping and images only",
          "[actors][scheduler][transform]") {
  json node = {{"metadata", {{"name", "n"}, {"labels", {{"a", "b"}}}, {"annotations", {{"x", "y"}}},
                             {"managedFields", {{{"manager", "podlet"}}}}}},
               {"spec", {{"taints", {{{"key", "k"}, {"effect", "NoSchedule"}}}}}},
               {"status", {{"allocatable", {{"cpu", "2"}}}, {"images", {{{"names", {"x"}}}}},
                           {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  auto expected = node;
  expected["metadata"].erase("managedFields");
  expected["status"].erase("images");
  CHECK(view(node, node_view) == expected);
}
