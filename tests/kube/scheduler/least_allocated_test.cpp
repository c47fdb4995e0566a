#include "kube/scheduler/least_allocated.hpp"

#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using namespace podvisor::kube::scheduler::testing;

TEST_CASE("leastRequestedScore per resource", "[kube][scheduler][score]") {
  struct row {
    std::int64_t requested, allocatable, want;
  };
  const std::vector<row> rows = {
    {0, 4000, 100}, {1000, 4000, 75}, {3999, 4000, 0}, {4000, 4000, 0},
    {5000, 4000, 0}, {1, 3, 66}, {0, 0, 0},
  };
  for (const auto& r : rows) {
    CAPTURE(r.requested, r.allocatable);
    CHECK(least_requested_score(r.requested, r.allocatable) == r.want);
  }
}

TEST_CASE("LeastAllocated averages cpu and memory after adding the pod", "[kube][scheduler][score]") {
  // 4 cpu / 8Gi with 1 cpu and 2Gi requested; the pod asks 1 cpu and 2Gi:
  // cpu (4000-2000)*100/4000 = 50, memory (8-4)*100/8 = 50.
  auto info = make_node_info(make_node("n", "4", "8Gi"), {make_pod("a", "1", "2Gi")});
  auto pod = pod_requests(make_pod("p", "1", "2Gi"), request_mode::non_zero);
  CHECK(least_allocated_score(pod, info) == 50);

  // cpu 2000 free of 4000 → 50; memory (8Gi - 2Gi - 200Mi)/8Gi → 72 (integer division).
  auto no_memory = pod_requests(make_pod("p", "1"), request_mode::non_zero);
  CHECK(least_allocated_score(no_memory, info) == (50 + 72) / 2);

  SECTION("pods without requests still count, as 100m and 200Mi") {
    auto empty = make_node_info(make_node("e", "1", "1000Mi"), {make_pod("x"), make_pod("y")});
    auto p = pod_requests(make_pod("p"), request_mode::non_zero);
    // cpu (1000-300)*100/1000 = 70; memory (1000-600)*100/1000 = 40.
    CHECK(least_allocated_score(p, empty) == 55);
  }
  SECTION("a resource with nothing allocatable is left out of the average") {
    auto n = make_node("m", "4", "8Gi");
    n.status.allocatable.erase("memory");
    CHECK(least_allocated_score(pod, make_node_info(n)) == 75);
    n.status.allocatable.erase("cpu");
    CHECK(least_allocated_score(pod, make_node_info(n)) == 0);
  }
  SECTION("overcommitted: zero") {
    CHECK(least_allocated_score(pod_requests(make_pod("big", "8", "16Gi"), request_mode::non_zero), info) == 0);
  }
}
