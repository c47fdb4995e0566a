#include "kube/scheduler/scheduler.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using namespace podvisor::kube::scheduler::testing;

namespace {

constexpr std::string_view kvm = "devices.kubevirt.io/kvm";

api::node vm_node(std::string name, std::string_view cpu, std::string_view memory, bool kvm_device) {
  auto n = make_node(std::move(name), cpu, memory);
  n.metadata.labels["kubernetes.io/hostname"] = n.metadata.name;
  if (kvm_device) {
    n.status.allocatable[std::string(kvm)] = qty("110");
    n.metadata.labels["kubevirt.io/schedulable"] = "true";
  }
  n.status.allocatable["pods"] = qty("110");
  return n;
}

// A launcher pod as the VMI controller renders it: requests, the kvm device, the
// kubevirt.io/schedulable node selector.
api::pod launcher(std::string name) {
  auto p = make_pod("virt-launcher-" + name, "1", "3Gi");
  p.spec.containers[0].resources.requests[std::string(kvm)] = qty("1");
  p.spec.node_selector["kubevirt.io/schedulable"] = "true";
  p.metadata.labels["kubevirt.io/vm"] = name;
  return p;
}

// Schedules and, when a node was chosen, binds the pod there, as the actor will.
schedule_result place(cluster_snapshot& s, const api::pod& p) {
  auto r = schedule(p, s);
  if (r.node) {
    auto it = std::find_if(s.nodes.begin(), s.nodes.end(), [&](const node_info& n) { return n.name() == *r.node; });
    REQUIRE(it != s.nodes.end());
    auto bound = p;
    bound.spec.node_name = *r.node;
    it->add_pod(bound);
  }
  return r;
}

// node-a, node-b: 4 cpu, 8Gi, kvm; node-c: 8 cpu, 16Gi, no kvm; node-d: big but not Ready.
cluster_snapshot cluster() {
  auto d = vm_node("node-d", "16", "64Gi", true);
  d.status.conditions[0].status = api::condition_status::false_;
  cluster_snapshot s;
  s.nodes = {make_node_info(vm_node("node-a", "4", "8Gi", true)), make_node_info(vm_node("node-b", "4", "8Gi", true)),
             make_node_info(vm_node("node-c", "8", "16Gi", false)), make_node_info(d)};
  return s;
}

} // namespace

TEST_CASE("launcher pods spread over the kvm nodes until memory runs out", "[kube][scheduler]") {
  auto s = cluster();

  auto first = place(s, launcher("vm-1"));
  CHECK(first.node == "node-a"); // tie with node-b: the first name wins
  // cpu (4000-1000)*100/4000 = 75, memory (8-3)*100/8 = 62 → 68, on both.
  CHECK(first.feasible == std::vector<node_score>{{"node-a", 68}, {"node-b", 68}});
  CHECK(first.unfit == std::map<std::string, filter_reasons>{
                         {"node-c", {"node(s) didn't match Pod's node affinity/selector"}},
                         {"node-d", {"node(s) had untolerated taint {node.kubernetes.io/not-ready: }"}}});
  CHECK(first.message.empty());

  CHECK(place(s, launcher("vm-2")).node == "node-b"); // node-a is fuller now
  auto third = place(s, launcher("vm-3"));
  CHECK(third.node == "node-a");
  CHECK(third.feasible == std::vector<node_score>{{"node-a", 37}, {"node-b", 37}});
  CHECK(place(s, launcher("vm-4")).node == "node-b");

  auto fifth = place(s, launcher("vm-5"));
  CHECK_FALSE(fifth.scheduled());
  CHECK(fifth.feasible.empty());
  CHECK(fifth.message ==
        "0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
        "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient memory.");

  SECTION("a pod without the selector goes to the emptiest node") {
    CHECK(place(s, make_pod("web", "500m", "1Gi")).node == "node-c");
  }
  SECTION("when a VM ends, its node has room again") {
    REQUIRE(s.nodes[1].remove_pod("default", "virt-launcher-vm-2"));
    CHECK(place(s, launcher("vm-5")).node == "node-b");
  }
  SECTION("when the not-ready node becomes Ready, it takes the pod") {
    s.nodes[3].node.status.conditions[0].status = api::condition_status::true_;
    CHECK(place(s, launcher("vm-5")).node == "node-d");
  }
}

TEST_CASE("replicas with hostname anti-affinity get one node each", "[kube][scheduler]") {
  cluster_snapshot s;
  s.nodes = {make_node_info(vm_node("n1", "4", "8Gi", true)), make_node_info(vm_node("n2", "4", "8Gi", true))};
  auto replica = [](std::string name) {
    auto p = launcher(std::move(name));
    p.metadata.labels["app"] = "db";
    add_anti_affinity(p, anti_term("app", "db"));
    return p;
  };
  CHECK(place(s, replica("db-0")).node == "n1");
  CHECK(place(s, replica("db-1")).node == "n2");
  auto third = place(s, replica("db-2"));
  CHECK_FALSE(third.scheduled());
  CHECK(third.message == "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules.");
}

TEST_CASE("the decision does not depend on the order of the nodes", "[kube][scheduler]") {
  auto s = cluster();
  std::reverse(s.nodes.begin(), s.nodes.end());
  auto r = schedule(launcher("vm-1"), s);
  CHECK(r.node == "node-a");
  CHECK(r.feasible == std::vector<node_score>{{"node-b", 68}, {"node-a", 68}}); // snapshot order
}

TEST_CASE("filters stop at the first that refuses a node", "[kube][scheduler]") {
  auto node = vm_node("n1", "500m", "1Gi", false);
  node.spec.taints = {make_taint("dedicated", "db", api::taint_effect::no_schedule)};
  cluster_snapshot s;
  s.nodes = {make_node_info(node)};
  auto p = launcher("vm"); // too big, wrong selector and no toleration: only the taint is told
  CHECK(run_filters(p, s.nodes[0], s) == filter_reasons{"node(s) had untolerated taint {dedicated: db}"});
  p.spec.tolerations = {make_toleration("dedicated", "Equal", "db", "NoSchedule")};
  CHECK(run_filters(p, s.nodes[0], s) == filter_reasons{"node(s) didn't match Pod's node affinity/selector"});
  p.spec.node_selector.clear();
  CHECK(run_filters(p, s.nodes[0], s) ==
        filter_reasons{"Insufficient cpu", "Insufficient memory", "Insufficient devices.kubevirt.io/kvm"});
}

TEST_CASE("an empty cluster", "[kube][scheduler]") {
  auto r = schedule(launcher("vm"), cluster_snapshot{});
  CHECK_FALSE(r.scheduled());
  CHECK(r.message == "no nodes available to schedule pods");
}
