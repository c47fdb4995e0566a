// What podvisor-controller's caches keep (actors/controller/cache_transforms.hpp). The
// property that matters: every decision made from the transformed objects equals the one
// made from the whole objects, for a table of VMI and pod states with everything a real
// cluster adds (managedFields, kubectl's annotation, the agent's status fields, the
// launcher pod's container and volumes, kubelet's status).

#include "actors/controller/cache_transforms.hpp"

#include <optional>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "actors/controller/launcher_pod.hpp"
#include "actors/controller/vm_decision.hpp"
#include "actors/controller/vmi_decision.hpp"
#include "kube/api/kubevirt/vm.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/client/typed.hpp"

using nlohmann::json;
using namespace podvisor::actors::controller;
namespace api = podvisor::kube::api;
namespace typed = podvisor::kube::client::typed;

namespace {

constexpr const char* now = "2026-11-28T21:00:10Z";

/// A VMI as a real cluster holds it, in `phase` ("" for a new one).
json full_vmi(const std::string& phase) {
  json v = json::parse(R"({
    "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
    "metadata": {"name": "web", "namespace": "prod", "uid": "0b9a4c2e-1d3f-4a5b-8c7d-1234567890ab",
                 "resourceVersion": "7", "generation": 1, "creationTimestamp": "2026-11-28T21:00:00Z",
                 "labels": {"app": "web"},
                 "annotations": {"team": "blue", "kubectl.kubernetes.io/last-applied-configuration": "{}"},
                 "ownerReferences": [{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "name": "web",
                                      "uid": "vm-uid", "controller": true, "blockOwnerDeletion": true}],
                 "managedFields": [{"manager": "kubectl", "operation": "Apply", "fieldsType": "FieldsV1",
                                    "fieldsV1": {"f:spec": {"f:domain": {}}}}]},
    "spec": {"domain": {"cpu": {"cores": 2}, "resources": {"requests": {"memory": "128Mi", "cpu": "250m"}},
                        "devices": {"interfaces": [{"name": "default", "masquerade": {}}]}},
             "networks": [{"name": "default", "pod": {}}], "terminationGracePeriodSeconds": 12},
    "status": {"currentCPUTopology": {"cores": 2, "sockets": 1, "threads": 1},
               "memory": {"guestAtBoot": "128Mi", "guestCurrent": "128Mi", "guestRequested": "128Mi"},
               "interfaces": [{"name": "default", "ipAddress": "10.1.0.5", "mac": "02:00:00:00:00:01"}],
               "guestOSInfo": {"id": "alpine", "name": "Alpine Linux", "version": "3.20"},
               "qosClass": "Burstable", "launcherContainerImageVersion": "podvisor-launcher",
               "activePods": {"pod-uid": "node-1"}}
  })");
  if (!phase.empty()) {
    v["status"]["phase"] = phase;
    v["status"]["phaseTransitionTimestamps"] = {{{"phase", phase}, {"phaseTransitionTimestamp", now}}};
    v["metadata"]["finalizers"] = {vmi_finalizer};
  }
  if (phase == "Scheduled" || phase == "Running")
    v["status"]["nodeName"] = "node-1";
  if (phase == "Failed")
    v["status"]["reason"] = "PodFailed";
  if (phase == "Scheduling")
    v["status"]["conditions"] = {{{"type", "PodScheduled"}, {"status", "False"}, {"reason", "Unschedulable"},
                                  {"message", "old"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", now}}};
  return v;
}

/// The VMI's launcher pod as the API holds it after kubelet reported on it.
json full_pod(const json& vmi, const std::string& phase, const std::string& node) {
  launcher_pod_config config;
  config.kvm = false;
  auto built = build_launcher_pod(vmi, config);
  REQUIRE(built);
  json p = *built;
  p["metadata"]["uid"] = "pod-uid";
  p["metadata"]["resourceVersion"] = "9";
  p["metadata"]["managedFields"] = {{{"manager", "podvisor-podlet"}, {"operation", "Update"}}};
  if (!node.empty())
    p["spec"]["nodeName"] = node;
  p["status"] = {{"phase", phase},
                 {"qosClass", "Burstable"},
                 {"conditions",
                  {{{"type", "PodScheduled"}, {"status", node.empty() ? "False" : "True"}, {"lastProbeTime", nullptr},
                    {"lastTransitionTime", now}}}}};
  if (node.empty()) {
    p["status"]["conditions"][0]["reason"] = "Unschedulable";
    p["status"]["conditions"][0]["message"] = "0/2 nodes are available: 2 Insufficient memory.";
  } else {
    for (const char* type : {"Initialized", "ContainersReady", "Ready"})
      p["status"]["conditions"].push_back({{"type", type},
                                           {"status", phase == "Running" ? "True" : "False"},
                                           {"lastProbeTime", nullptr},
                                           {"lastTransitionTime", now}});
    p["status"]["hostIP"] = "10.94.0.2";
    p["status"]["podIP"] = "10.94.1.17";
    p["status"]["podIPs"] = {{{"ip", "10.94.1.17"}}};
    p["status"]["startTime"] = now;
    json state = phase == "Running" ? json{{"running", {{"startedAt", now}}}}
                 : phase == "Pending" ? json{{"waiting", {{"reason", "ErrImagePull"}, {"message", "no image x"}}}}
                                      : json{{"terminated", {{"exitCode", 3}, {"reason", "Error"}}}};
    p["status"]["containerStatuses"] = {{{"name", "compute"}, {"state", state}, {"lastState", json::object()},
                                         {"ready", phase == "Running"}, {"restartCount", 0},
                                         {"image", "podvisor-launcher"}, {"imageID", ""},
                                         {"containerID", "podvisor://abc"}}};
  }
  if (phase == "Failed") {
    p["status"]["reason"] = "Error";
    p["status"]["message"] = "the launcher exited with 3";
  }
  return p;
}

json view(json object, void (*transform)(json&)) {
  transform(object);
  return object;
}

void check_same(const vmi_actions& whole, const vmi_actions& viewed) {
  CHECK(whole.add_finalizer == viewed.add_finalizer);
  CHECK(whole.remove_finalizer == viewed.remove_finalizer);
  CHECK(whole.create_pod == viewed.create_pod);
  CHECK(whole.delete_pods == viewed.delete_pods);
  CHECK(whole.status == viewed.status);
  CHECK(whole.events == viewed.events);
  CHECK(whole.error_reason == viewed.error_reason);
  CHECK(whole.error_message == viewed.error_message);
}

} // namespace

TEST_CASE("cache transforms: decide_vmi decides the same from the cached views as from the whole objects",
          "[controller][transform]") {
  struct row {
    const char* what;
    std::string vmi_phase;
    std::optional<std::string> pod_phase; ///< nothing: no pod
    std::string node;
    bool vmi_deleting = false;
    bool pod_terminating = false;
  };
  const std::vector<row> rows = {
    {"a new VMI: its pod is built from the cached VMI", "", std::nullopt, ""},
    {"pod created, not bound", "Pending", "Pending", ""},
    {"unschedulable: the scheduler's reason is copied", "Scheduling", "Pending", ""},
    {"bound, container waiting: the kubelet's reason", "Scheduling", "Pending", "node-1"},
    {"bound and running: Scheduled", "Scheduling", "Running", "node-1"},
    {"the pod failed", "Scheduled", "Failed", "node-1"},
    {"the pod succeeded", "Scheduled", "Succeeded", "node-1"},
    {"the pod is terminating", "Scheduling", "Running", "node-1", false, true},
    {"the VMI is being deleted", "Running", "Running", "node-1", true},
    {"final VMI without pods: the finalizer goes", "Failed", std::nullopt, ""},
    {"the pod vanished", "Scheduled", std::nullopt, ""},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.what) {
      json vmi = full_vmi(r.vmi_phase);
      if (r.vmi_deleting)
        vmi["metadata"]["deletionTimestamp"] = now;
      std::vector<json> pods;
      if (r.pod_phase) {
        pods.push_back(full_pod(vmi, *r.pod_phase, r.node));
        if (r.pod_terminating)
          pods.back()["metadata"]["deletionTimestamp"] = now;
      }
      std::vector<json> pod_views;
      for (const auto& p : pods)
        pod_views.push_back(view(p, launcher_pod_view));
      vmi_facts facts;
      facts.now = now;
      facts.pod.kvm = false;
      auto vmi_view_json = view(vmi, vmi_view);
      check_same(decide_vmi(&vmi, pods, facts), decide_vmi(&vmi_view_json, pod_views, facts));
    }
  }
}

TEST_CASE("cache transforms: what the launcher pod's view keeps and drops", "[controller][transform]") {
  auto vmi = full_vmi("Scheduled");
  auto pod = full_pod(vmi, "Running", "node-1");
  auto v = view(pod, launcher_pod_view);
  // Kept: identity, ownership, the node, the status decide_vmi reads.
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "ownerReferences"})
    CHECK(v["metadata"][field] == pod["metadata"][field]);
  CHECK(v["metadata"].size() == 5);
  CHECK(v["spec"] == json{{"nodeName", "node-1"}});
  CHECK(v["status"]["phase"] == "Running");
  CHECK(v["status"]["conditions"] ==
        json{{{"type", "PodScheduled"}, {"status", "True"}}});
  CHECK(v["status"]["containerStatuses"] ==
        json{{{"name", "compute"}, {"state", pod["status"]["containerStatuses"][0]["state"]}}});
  // Dropped: bookkeeping, labels, annotations, the container, volumes, addresses.
  CHECK_FALSE(v["status"].contains("podIP"));
  CHECK(v.dump().size() * 3 < pod.dump().size());
  // Being deleted: the view says so.
  pod["metadata"]["deletionTimestamp"] = now;
  CHECK(view(pod, launcher_pod_view)["metadata"]["deletionTimestamp"] == now);
  // The owner index and the event → key mapping still find the VMI.
  CHECK(v["metadata"]["ownerReferences"][0]["uid"] == vmi["metadata"]["uid"]);
}

TEST_CASE("cache transforms: the VMI view keeps metadata and spec whole, and the status the controllers read",
          "[controller][transform]") {
  auto vmi = full_vmi("Failed");
  vmi["status"]["conditions"] = {{{"type", "Ready"}, {"status", "False"}}};
  auto v = view(vmi, vmi_view);
  auto expected_meta = vmi["metadata"];
  expected_meta.erase("managedFields");
  CHECK(v["metadata"] == expected_meta); // annotations go into the launcher pod: all kept
  CHECK(v["spec"] == vmi["spec"]);
  CHECK(v["status"] == json{{"phase", "Failed"},
                            {"phaseTransitionTimestamps", vmi["status"]["phaseTransitionTimestamps"]},
                            {"reason", "PodFailed"},
                            {"conditions", vmi["status"]["conditions"]}});
  vmi = full_vmi("Running");
  CHECK(view(vmi, vmi_view)["status"]["nodeName"] == "node-1");
}

// (The node controller's tests run on the VMI view: node_controller_test.)
TEST_CASE("cache transforms: the VM controller decides the same from the VMI view",
          "[controller][transform]") {
  api::virtual_machine vm;
  vm.metadata.name = "web";
  vm.metadata.namespace_ = "prod";
  vm.metadata.uid = "vm-uid";
  vm.spec.run_strategy_ = api::run_strategy::always;
  vm.status.run_strategy_ = api::run_strategy::always;
  api::vmi_template_spec tpl;
  tpl.spec.termination_grace_period_seconds = 12;
  vm.spec.template_ = tpl;
  const auto t = std::chrono::system_clock::time_point{std::chrono::seconds{1'795'000'000}};
  for (const char* phase : {"Pending", "Scheduling", "Scheduled", "Running", "Succeeded", "Failed"}) {
    DYNAMIC_SECTION(phase) {
      auto whole = typed::from_json<api::virtual_machine_instance>(full_vmi(phase));
      auto viewed = typed::from_json<api::virtual_machine_instance>(view(full_vmi(phase), vmi_view));
      REQUIRE(whole);
      REQUIRE(viewed);
      auto a = decide_vm(vm_sync_input{.vm = vm, .vmi = &*whole, .now = t, .backoff = {}});
      auto b = decide_vm(vm_sync_input{.vm = vm, .vmi = &*viewed, .now = t, .backoff = {}});
      CHECK(a.create.has_value() == b.create.has_value());
      CHECK(a.remove == b.remove);
      CHECK(a.status == b.status);
      CHECK(a.requeue_after == b.requeue_after);
      CHECK(a.why == b.why);
    }
  }
}

TEST_CASE("cache transforms: the node view keeps labels, annotations and conditions", "[controller][transform]") {
  json node = json::parse(R"({
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "node-1", "resourceVersion": "3", "labels": {"podvisor.io/schedulable": "true"},
                 "annotations": {"podvisor.io/agent-heartbeat": "2026-11-28T21:00:00Z"},
                 "managedFields": [{"manager": "podlet"}]},
    "spec": {"podCIDR": "10.94.1.0/24"},
    "status": {"conditions": [{"type": "Ready", "status": "True"}], "allocatable": {"cpu": "2"},
               "images": [{"names": ["quay.io/kubevirt/virt-launcher:v1"], "sizeBytes": 123}]}
  })");
  auto v = view(node, node_view);
  auto expected = node;
  expected["metadata"].erase("managedFields");
  expected["status"].erase("images");
  CHECK(v == expected);
}
