// The scheduler's judgements about objects: which pods are ours, which changes retry
// parked pods, and the PodScheduled condition.

#include "actors/scheduler/pod_rules.hpp"

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using namespace podvisor::actors::scheduler;
using nlohmann::json;

namespace {

json pod(json spec = json::object(), json status = json::object(), json meta = json::object()) {
  meta["name"] = "p";
  meta["namespace"] = "ns";
  return {{"metadata", meta}, {"spec", spec}, {"status", status}};
}

json node(json labels, json taints, json allocatable, json conditions) {
  return {{"metadata", {{"name", "n"}, {"labels", labels}}},
          {"spec", {{"taints", taints}}},
          {"status", {{"allocatable", allocatable}, {"conditions", conditions}}}};
}

} // namespace

TEST_CASE("pod_rules: which pods need this scheduler", "[actors][scheduler]") {
  CHECK(needs_scheduling(pod(), "default-scheduler"));
  CHECK(needs_scheduling(pod({{"schedulerName", "default-scheduler"}}), "default-scheduler"));
  CHECK_FALSE(needs_scheduling(pod(), "podvisor"));
  CHECK(needs_scheduling(pod({{"schedulerName", "podvisor"}}), "podvisor"));
  CHECK_FALSE(needs_scheduling(pod({{"schedulerName", "other"}}), "default-scheduler"));
  CHECK_FALSE(needs_scheduling(pod({{"nodeName", "n1"}}), "default-scheduler"));
  CHECK_FALSE(needs_scheduling(pod({}, {{"phase", "Succeeded"}}), "default-scheduler"));
  CHECK_FALSE(needs_scheduling(pod({}, {{"phase", "Failed"}}), "default-scheduler"));
  CHECK(needs_scheduling(pod({}, {{"phase", "Pending"}}), "default-scheduler"));
  CHECK_FALSE(needs_scheduling(pod({}, {}, {{"deletionTimestamp", "2024-01-01T00:00:00Z"}}), "default-scheduler"));
  CHECK_FALSE(needs_scheduling(json::array(), "default-scheduler")); // garbage is never ours
}

TEST_CASE("pod_rules: node changes that can make a pod fit", "[actors][scheduler]") {
  auto ready = json::array({{{"type", "Ready"}, {"status", "True"}, {"lastHeartbeatTime", "t1"}}});
  auto base = node({{"a", "1"}}, json::array(), {{"cpu", "1"}}, ready);
  auto heartbeat = base;
  heartbeat["status"]["conditions"][0]["lastHeartbeatTime"] = "t2";
  CHECK_FALSE(node_change_matters(base, heartbeat));
  auto not_ready = base;
  not_ready["status"]["conditions"][0]["status"] = "False";
  CHECK(node_change_matters(base, not_ready));
  auto more_cpu = base;
  more_cpu["status"]["allocatable"]["cpu"] = "2";
  CHECK(node_change_matters(base, more_cpu));
  auto relabelled = base;
  relabelled["metadata"]["labels"]["b"] = "2";
  CHECK(node_change_matters(base, relabelled));
  auto untainted = base;
  untainted["spec"]["taints"] = json::array({{{"key", "k"}, {"effect", "NoSchedule"}}});
  CHECK(node_change_matters(base, untainted));
  auto cordoned = base;
  cordoned["spec"]["unschedulable"] = true;
  CHECK(node_change_matters(base, cordoned));
}

TEST_CASE("pod_rules: only a pod's own inputs retry it, not its status", "[actors][scheduler]") {
  auto before = pod({{"containers", json::array()}});
  auto status_only = before;
  status_only["status"]["conditions"] = json::array({{{"type", "PodScheduled"}, {"status", "False"}}});
  CHECK_FALSE(pod_change_matters(before, status_only));
  auto tolerates = before;
  tolerates["spec"]["tolerations"] = json::array({{{"operator", "Exists"}}});
  CHECK(pod_change_matters(before, tolerates));
  auto labelled = before;
  labelled["metadata"]["labels"] = {{"app", "x"}};
  CHECK(pod_change_matters(before, labelled));
}

TEST_CASE("pod_rules: the PodScheduled condition is set once and keeps its transition time",
          "[actors][scheduler]") {
  auto p = pod({}, {{"conditions", json::array({{{"type", "Ready"}, {"status", "False"}}})}});
  CHECK(set_unschedulable_condition(p, "0/1 nodes are available: 1 Insufficient cpu.", "2024-01-01T00:00:00Z"));
  auto& conditions = p["status"]["conditions"];
  REQUIRE(conditions.size() == 2);
  CHECK(conditions[1] == json{{"type", "PodScheduled"},
                              {"status", "False"},
                              {"reason", "Unschedulable"},
                              {"message", "0/1 nodes are available: 1 Insufficient cpu."},
                              {"lastTransitionTime", "2024-01-01T00:00:00Z"}});
  CHECK(has_unschedulable_condition(p, "0/1 nodes are available: 1 Insufficient cpu."));
  CHECK_FALSE(set_unschedulable_condition(p, "0/1 nodes are available: 1 Insufficient cpu.", "later"));
  CHECK(set_unschedulable_condition(p, "0/2 nodes are available: 2 Insufficient cpu.", "later"));
  CHECK(p["status"]["conditions"][1]["lastTransitionTime"] == "2024-01-01T00:00:00Z"); // still False
  auto bound = pod({{"nodeName", "n1"}});
  CHECK_FALSE(set_unschedulable_condition(bound, "m", "t"));
  CHECK_FALSE(bound["status"].contains("conditions"));
}

TEST_CASE("pod_rules: the Binding object", "[actors][scheduler]") {
  CHECK(make_binding("ns", "p", "uid-1", "n1") ==
        json{{"apiVersion", "v1"},
             {"kind", "Binding"},
             {"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "uid-1"}}},
             {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "n1"}}}});
}
