#include "kube/scheduler/resources.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using podvisor::kube::scheduler::testing::make_pod;
using podvisor::kube::scheduler::testing::qty;

TEST_CASE("cpu counts in millicores, everything else in whole units rounded up", "[kube][scheduler]") {
  api::resource_list list{{"cpu", qty("1.5")},
                          {"memory", qty("1Gi")},
                          {"devices.kubevirt.io/kvm", qty("1k")},
                          {"ephemeral-storage", qty("1500m")}};
  auto a = to_amounts(list);
  CHECK(a.at("cpu") == 1500);
  CHECK(a.at("memory") == 1073741824);
  CHECK(a.at("devices.kubevirt.io/kvm") == 1000);
  CHECK(a.at("ephemeral-storage") == 2);
  CHECK(amount(a, "hugepages-2Mi") == 0);
}

TEST_CASE("pod requests: containers summed, init containers as a maximum", "[kube][scheduler]") {
  auto p = make_pod("p", "500m", "1Gi");
  api::container second;
  second.name = "sidecar";
  second.resources.requests["cpu"] = qty("250m");
  second.resources.requests["devices.kubevirt.io/kvm"] = qty("1");
  p.spec.containers.push_back(second);

  SECTION("without init containers") {
    auto r = pod_requests(p);
    CHECK(r.at("cpu") == 750);
    CHECK(r.at("memory") == 1073741824);
    CHECK(r.at("devices.kubevirt.io/kvm") == 1);
  }
  SECTION("an init container larger in one resource wins that resource only") {
    api::container init;
    init.name = "init";
    init.resources.requests["cpu"] = qty("2");
    init.resources.requests["memory"] = qty("1Mi");
    p.spec.init_containers.push_back(init);
    auto r = pod_requests(p);
    CHECK(r.at("cpu") == 2000);
    CHECK(r.at("memory") == 1073741824);
  }
}

TEST_CASE("a limit without a request counts as the request", "[kube][scheduler]") {
  auto p = make_pod("p");
  p.spec.containers[0].resources.limits["memory"] = qty("2Gi");
  p.spec.containers[0].resources.limits["cpu"] = qty("2");
  p.spec.containers[0].resources.requests["cpu"] = qty("1");
  auto r = pod_requests(p);
  CHECK(r.at("memory") == 2LL * 1024 * 1024 * 1024);
  CHECK(r.at("cpu") == 1000); // the explicit request, not the limit
}

TEST_CASE("non-zero requests fill in cpu and memory per container, not explicit zeros", "[kube][scheduler]") {
  auto p = make_pod("p");
  api::container second;
  second.name = "b";
  second.resources.requests["cpu"] = qty("0");
  second.resources.requests["memory"] = qty("1Gi");
  p.spec.containers.push_back(second);

  CHECK(pod_requests(p).at("cpu") == 0);
  auto r = pod_requests(p, request_mode::non_zero);
  CHECK(r.at("cpu") == default_milli_cpu_request);                  // 100m + 0
  CHECK(r.at("memory") == default_memory_request + 1073741824);      // 200Mi + 1Gi
  CHECK(pod_requests(make_pod("empty"), request_mode::exact).empty());
}

TEST_CASE("only Succeeded and Failed pods are terminated", "[kube][scheduler]") {
  auto p = make_pod("p");
  CHECK_FALSE(is_terminated(p));
  for (auto phase : {api::pod_phase::pending, api::pod_phase::running, api::pod_phase::unknown}) {
    p.status.phase = phase;
    CHECK_FALSE(is_terminated(p));
  }
  p.status.phase = api::pod_phase::succeeded;
  CHECK(is_terminated(p));
  p.status.phase = api::pod_phase::failed;
  CHECK(is_terminated(p));
}
