#include "kube/scheduler/node_info.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using podvisor::kube::scheduler::testing::make_node;
using podvisor::kube::scheduler::testing::make_pod;

TEST_CASE("node_info sums what its non-terminated pods request", "[kube][scheduler]") {
  auto done = make_pod("done", "4", "4Gi");
  done.status.phase = api::pod_phase::succeeded;
  auto info = make_node_info(make_node("n1"), {make_pod("a", "500m", "1Gi"), make_pod("b"), done});

  REQUIRE(info.pods.size() == 2);
  CHECK(info.name() == "n1");
  CHECK(amount(info.requested, "cpu") == 500);
  CHECK(amount(info.requested, "memory") == 1073741824);
  CHECK(amount(info.non_zero_requested, "cpu") == 600);
  CHECK(amount(info.non_zero_requested, "memory") == 1073741824 + default_memory_request);

  SECTION("removing a pod takes its requests out") {
    CHECK(info.remove_pod("default", "a"));
    CHECK_FALSE(info.remove_pod("default", "a"));
    CHECK_FALSE(info.remove_pod("other", "b"));
    CHECK(info.pods.size() == 1);
    CHECK(amount(info.requested, "cpu") == 0);
    CHECK(amount(info.non_zero_requested, "cpu") == default_milli_cpu_request);
  }
  SECTION("adding a pod adds its requests") {
    info.add_pod(make_pod("c", "1", "1Mi"));
    CHECK(info.pods.size() == 3);
    CHECK(amount(info.requested, "cpu") == 1500);
  }
}
