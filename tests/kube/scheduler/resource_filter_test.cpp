#include "kube/scheduler/resource_filter.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using namespace podvisor::kube::scheduler::testing;

namespace {

// 4 cpu, 8Gi, 2 kvm devices, 3 pods; 2.5 cpu, 5Gi and 1 kvm already requested by two pods.
node_info busy_node() {
  auto n = make_node("n1", "4", "8Gi");
  n.status.allocatable["devices.kubevirt.io/kvm"] = qty("2");
  n.status.allocatable["pods"] = qty("3");
  auto vm = make_pod("vm", "2", "4Gi");
  vm.spec.containers[0].resources.requests["devices.kubevirt.io/kvm"] = qty("1");
  auto done = make_pod("done", "4", "8Gi");
  done.status.phase = api::pod_phase::failed; // ended: holds nothing
  return make_node_info(n, {vm, make_pod("web", "500m", "1Gi"), done});
}

} // namespace

TEST_CASE("requests against allocatable minus what bound pods request", "[kube][scheduler][filter]") {
  const auto node = busy_node();
  struct row {
    std::string name;
    std::string cpu, memory, kvm, other;
    filter_reasons want;
  };
  const std::vector<row> rows = {
    {"fits exactly", "1500m", "3Gi", "1", "", {}},
    {"no requests at all", "", "", "", "", {}},
    {"one millicore too many", "1501m", "", "", "", {"Insufficient cpu"}},
    {"one byte too many", "", "3221225473", "", "", {"Insufficient memory"}},
    {"both short", "2", "4Gi", "", "", {"Insufficient cpu", "Insufficient memory"}},
    {"everything short: cpu, memory, then by name", "2", "4Gi", "2", "a.example/b",
     {"Insufficient cpu", "Insufficient memory", "Insufficient a.example/b", "Insufficient devices.kubevirt.io/kvm"}},
    {"device exhausted", "", "", "2", "", {"Insufficient devices.kubevirt.io/kvm"}},
    {"resource the node does not have", "", "", "", "nvidia.com/gpu", {"Insufficient nvidia.com/gpu"}},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto p = make_pod("p", r.cpu, r.memory);
      if (!r.kvm.empty())
        p.spec.containers[0].resources.requests["devices.kubevirt.io/kvm"] = qty(r.kvm);
      if (!r.other.empty())
        p.spec.containers[0].resources.requests[r.other] = qty("1");
      CHECK(filter_resources(p, node) == r.want);
    }
  }
}

TEST_CASE("a zero request of a missing resource is no reason", "[kube][scheduler][filter]") {
  auto p = make_pod("p", "100m");
  p.spec.containers[0].resources.requests["nvidia.com/gpu"] = qty("0");
  CHECK(filter_resources(p, busy_node()).empty());
}

TEST_CASE("the allocatable pod count, when the node states one", "[kube][scheduler][filter]") {
  auto node = busy_node(); // 2 of 3 pods
  CHECK(filter_resources(make_pod("third"), node).empty());
  node.add_pod(make_pod("third"));
  CHECK(filter_resources(make_pod("fourth"), node) == filter_reasons{"Too many pods"});
  CHECK(filter_resources(make_pod("fourth", "4"), node) == filter_reasons{"Too many pods", "Insufficient cpu"});

  SECTION("no pods entry: no limit") {
    node.node.status.allocatable.erase("pods");
    CHECK(filter_resources(make_pod("fourth"), node).empty());
  }
}

TEST_CASE("an init container's larger request is what must fit", "[kube][scheduler][filter]") {
  auto p = make_pod("p", "1");
  api::container init;
  init.name = "prepare";
  init.resources.requests["cpu"] = qty("2");
  p.spec.init_containers.push_back(init);
  CHECK(filter_resources(p, busy_node()) == filter_reasons{"Insufficient cpu"});
}
