#include "actors/controller/vmi_decision.hpp"

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace podvisor::actors::controller;

namespace {

constexpr const char* now = "2024-01-01T00:00:10Z";

json vmi(const std::string& phase = "", bool finalizer = false) {
  json v = json::parse(R"({
    "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
    "metadata": {"name": "web", "namespace": "prod", "uid": "u1", "resourceVersion": "7"},
    "spec": {"domain": {"resources": {"requests": {"memory": "128Mi"}}}, "terminationGracePeriodSeconds": 12}
  })");
  if (!phase.empty())
    v["status"]["phase"] = phase;
  if (finalizer)
    v["metadata"]["finalizers"] = {vmi_finalizer};
  return v;
}

json pod(const std::string& phase = "Pending", const std::string& node = "") {
  json p = {{"metadata", {{"name", launcher_pod_name(vmi())}, {"namespace", "prod"}}}, {"spec", json::object()}};
  if (!phase.empty())
    p["status"]["phase"] = phase;
  if (!node.empty())
    p["spec"]["nodeName"] = node;
  return p;
}

vmi_facts facts(bool satisfied = true) {
  vmi_facts f;
  f.expectations_satisfied = satisfied;
  f.now = now;
  return f;
}

} // namespace

TEST_CASE("vmi_decision: a deleted VMI needs nothing", "[vmi_decision]") {
  auto a = decide_vmi(nullptr, {pod()}, facts());
  CHECK_FALSE(a.create_pod);
  CHECK(a.delete_pods.empty());
  CHECK_FALSE(a.status);
}

TEST_CASE("vmi_decision: a new VMI gets the finalizer, its pod and Pending", "[vmi_decision]") {
  auto v = vmi();
  auto a = decide_vmi(&v, {}, facts());
  CHECK(a.add_finalizer);
  REQUIRE(a.create_pod);
  CHECK((*a.create_pod)["metadata"]["name"] == launcher_pod_name(v));
  REQUIRE(a.status);
  CHECK(a.status->from_phase == "");
  CHECK(a.status->phase == "Pending");
  CHECK(a.error_reason.empty());
}

TEST_CASE("vmi_decision: Pending without a pod (finalizer present) creates the pod again", "[vmi_decision]") {
  auto v = vmi("Pending", true);
  auto a = decide_vmi(&v, {}, facts());
  CHECK_FALSE(a.add_finalizer);
  CHECK(a.create_pod);
  CHECK_FALSE(a.status); // already Pending: nothing to write
}

TEST_CASE("vmi_decision: unsatisfied expectations: no second pod, no conclusion", "[vmi_decision]") {
  for (const char* phase : {"", "Pending", "Scheduling", "Scheduled"}) {
    auto v = vmi(phase, true);
    auto a = decide_vmi(&v, {}, facts(false));
    INFO(phase);
    CHECK_FALSE(a.create_pod);
    CHECK_FALSE(a.status);
  }
}

TEST_CASE("vmi_decision: a VMI that cannot have a pod fails the sync with a reason", "[vmi_decision]") {
  auto v = vmi();
  v["spec"]["domain"].erase("resources");
  auto a = decide_vmi(&v, {}, facts());
  CHECK_FALSE(a.create_pod);
  CHECK(a.error_reason == "FailedCreate");
  CHECK(a.error_message.find("guest memory") != std::string::npos);
}

TEST_CASE("vmi_decision: phases from the pod", "[vmi_decision]") {
  struct row {
    std::string vmi_phase;
    json pod;
    std::string want_phase; // "" → no status edit
    std::string want_node;
    std::string want_reason;
  };
  json unschedulable = pod("Pending");
  unschedulable["status"]["conditions"] = {
    {{"type", "PodScheduled"}, {"status", "False"}, {"reason", "Unschedulable"}, {"message", "0/2 nodes are available"}}};
  json terminating = pod("Running", "n1");
  terminating["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:05Z";
  json failed = pod("Failed", "n1");
  failed["status"]["reason"] = "Error";
  failed["status"]["message"] = "launcher exited 1";
  const std::vector<row> rows = {
    {"Pending", pod("Pending"), "Scheduling", "", ""},
    {"", pod("Pending"), "Scheduling", "", ""}, // a pod from before a restart
    {"Pending", pod("Pending", "n1"), "Scheduling", "", ""},    // bound, not running yet
    {"Scheduling", pod("Pending", "n1"), "", "", ""},           // nothing new
    {"Scheduling", pod("Running", "n1"), "Scheduled", "n1", ""},
    {"Pending", pod("Running", "n1"), "Scheduled", "n1", ""},   // both steps at once
    {"Scheduled", pod("Running", "n1"), "", "", ""},
    {"Running", pod("Running", "n1"), "", "", ""},              // the agent's phase: untouched
    {"Scheduling", failed, "Failed", "", "PodFailed"},
    {"Scheduled", failed, "Failed", "", "PodFailed"},
    {"Running", failed, "Failed", "", "PodFailed"},
    {"Scheduling", terminating, "Failed", "", "PodTerminating"},
    {"Scheduled", pod("Succeeded", "n1"), "Succeeded", "", "PodSucceeded"},
  };
  for (const auto& r : rows) {
    INFO(r.vmi_phase << " with pod " << r.pod.dump());
    auto v = vmi(r.vmi_phase, true);
    auto a = decide_vmi(&v, {r.pod}, facts());
    CHECK_FALSE(a.create_pod);
    CHECK(a.delete_pods.empty());
    if (r.want_phase.empty()) {
      CHECK_FALSE(a.status);
      continue;
    }
    REQUIRE(a.status);
    CHECK(a.status->from_phase == r.vmi_phase);
    CHECK(a.status->phase == r.want_phase);
    CHECK(a.status->node_name == r.want_node);
    CHECK(a.status->reason == r.want_reason);
  }
}

TEST_CASE("vmi_decision: an unschedulable pod puts PodScheduled=False with the scheduler's reason on the VMI",
          "[vmi_decision]") {
  json p = pod("Pending");
  p["status"]["conditions"] = {
    {{"type", "PodScheduled"}, {"status", "False"}, {"reason", "Unschedulable"}, {"message", "0/2 nodes are available"}}};
  auto v = vmi("Scheduling", true);
  auto a = decide_vmi(&v, {p}, facts());
  REQUIRE(a.status);
  CHECK(a.status->phase == "Scheduling");
  REQUIRE(a.status->set_conditions.size() == 1);
  CHECK(a.status->set_conditions[0] == condition_edit{"PodScheduled", "False", "Unschedulable", "0/2 nodes are available"});
  // Written once: the same condition again changes nothing.
  apply_vmi_status_edit(v, *a.status, now);
  CHECK_FALSE(decide_vmi(&v, {p}, facts()).status);
  // Once the pod runs, the condition goes and the VMI is Scheduled.
  auto running = pod("Running", "n2");
  auto b = decide_vmi(&v, {running}, facts());
  REQUIRE(b.status);
  CHECK(b.status->phase == "Scheduled");
  CHECK(b.status->remove_conditions == std::vector<std::string>{"PodScheduled"});
}

TEST_CASE("vmi_decision: the pod gone after it was observed fails the VMI (not before Scheduling)",
          "[vmi_decision]") {
  for (const char* phase : {"Scheduling", "Scheduled", "Running"}) {
    INFO(phase);
    auto v = vmi(phase, true);
    auto a = decide_vmi(&v, {}, facts());
    CHECK_FALSE(a.create_pod);
    REQUIRE(a.status);
    CHECK(a.status->phase == "Failed");
    CHECK(a.status->reason == "PodDeleted");
    REQUIRE(a.events.size() == 1);
    CHECK(a.events[0].type == "Warning");
  }
}

TEST_CASE("vmi_decision: a VMI being deleted deletes its pods with its grace period, then drops the finalizer",
          "[vmi_decision]") {
  auto v = vmi("Scheduled", true);
  v["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:09Z";
  auto a = decide_vmi(&v, {pod("Running", "n1")}, facts());
  REQUIRE(a.delete_pods.size() == 1);
  CHECK(a.delete_pods[0] == pod_deletion{launcher_pod_name(v), 12});
  CHECK_FALSE(a.remove_finalizer);
  CHECK_FALSE(a.status);
  // Already terminating: not deleted again, finalizer kept while it exists.
  auto terminating = pod("Running", "n1");
  terminating["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:09Z";
  auto b = decide_vmi(&v, {terminating}, facts());
  CHECK(b.delete_pods.empty());
  CHECK_FALSE(b.remove_finalizer);
  // Gone: the finalizer goes.
  auto c = decide_vmi(&v, {}, facts());
  CHECK(c.remove_finalizer);
  CHECK_FALSE(c.create_pod);
  // Without the finalizer, nothing to remove.
  v["metadata"].erase("finalizers");
  CHECK_FALSE(decide_vmi(&v, {}, facts()).remove_finalizer);
}

TEST_CASE("vmi_decision: a final VMI's pod is deleted and its finalizer removed", "[vmi_decision]") {
  for (const char* phase : {"Succeeded", "Failed"}) {
    INFO(phase);
    auto v = vmi(phase, true);
    auto a = decide_vmi(&v, {pod("Running", "n1")}, facts());
    CHECK(a.delete_pods.size() == 1);
    CHECK_FALSE(a.status);
    CHECK_FALSE(a.create_pod);
    auto b = decide_vmi(&v, {}, facts());
    CHECK(b.remove_finalizer);
    CHECK_FALSE(b.create_pod);
  }
}

TEST_CASE("vmi_decision: a Synchronized=False left by a failed sync is removed by the next good one",
          "[vmi_decision]") {
  auto v = vmi("Scheduling", true);
  v["status"]["conditions"] = {{{"type", "Synchronized"}, {"status", "False"}, {"reason", "FailedCreate"}}};
  auto a = decide_vmi(&v, {pod("Pending")}, facts());
  REQUIRE(a.status);
  CHECK(a.status->remove_conditions == std::vector<std::string>{"Synchronized"});
}

TEST_CASE("vmi_decision: the status edit is a compare-and-set on the phase, with transition timestamps",
          "[vmi_decision]") {
  auto v = vmi("Scheduling", true);
  vmi_status_edit edit{"Scheduling", "Scheduled", "n1", "", {}, {}};
  auto moved_on = v;
  moved_on["status"]["phase"] = "Running"; // the agent was faster
  CHECK_FALSE(apply_vmi_status_edit(moved_on, edit, now));
  CHECK(moved_on["status"]["phase"] == "Running");
  CHECK_FALSE(moved_on["status"].contains("nodeName"));

  REQUIRE(apply_vmi_status_edit(v, edit, now));
  CHECK(v["status"]["phase"] == "Scheduled");
  CHECK(v["status"]["nodeName"] == "n1");
  CHECK(v["status"]["phaseTransitionTimestamps"] ==
        json::parse(R"([{"phase": "Scheduled", "phaseTransitionTimestamp": "2024-01-01T00:00:10Z"}])"));
  CHECK_FALSE(v["status"].contains("conditions")); // no empty list left behind
}

TEST_CASE("vmi_decision: a bound pod whose container cannot be created says why on the VMI", "[vmi_decision]") {
  json p = pod("Pending", "n1");
  p["status"]["containerStatuses"] = json::parse(R"([{"name": "compute", "state": {"waiting":
    {"reason": "CreateContainerError", "message": "volume 'kernel-boot': hostPath /img/x does not exist"}}}])");
  auto v = vmi("Scheduling", true);
  auto a = decide_vmi(&v, {p}, facts());
  REQUIRE(a.status);
  CHECK(a.status->phase == "Scheduling");
  REQUIRE(a.status->set_conditions.size() == 1);
  CHECK(a.status->set_conditions[0].type == "Ready");
  CHECK(a.status->set_conditions[0].status == "False");
  CHECK(a.status->set_conditions[0].reason == "CreateContainerError");
  CHECK(a.status->set_conditions[0].message.find("hostPath /img/x does not exist") != std::string::npos);
  // Written once, then nothing changes while the pod stays stuck.
  apply_vmi_status_edit(v, *a.status, now);
  CHECK_FALSE(decide_vmi(&v, {p}, facts()).status);
  // A container still being created is not a problem to report.
  p["status"]["containerStatuses"][0]["state"]["waiting"] = {{"reason", "ContainerCreating"}};
  auto w = vmi("Scheduling", true);
  auto b = decide_vmi(&w, {p}, facts());
  CHECK((!b.status || b.status->set_conditions.empty()));
}
