#include "kube/scheduler/node_ready_filter.hpp"

#include <optional>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using namespace podvisor::kube::scheduler::testing;

namespace {

enum class ready_state { true_, false_, unknown, missing };

api::node node_with(ready_state ready, bool unschedulable) {
  auto n = make_node("n1");
  n.spec.unschedulable = unschedulable;
  switch (ready) {
  case ready_state::true_: break;
  case ready_state::false_: n.status.conditions[0].status = api::condition_status::false_; break;
  case ready_state::unknown: n.status.conditions[0].status = api::condition_status::unknown; break;
  case ready_state::missing: n.status.conditions.clear(); break;
  }
  // Other conditions never matter.
  api::node_condition pressure;
  pressure.type = "MemoryPressure";
  pressure.status = api::condition_status::true_;
  n.status.conditions.push_back(pressure);
  return n;
}

} // namespace

TEST_CASE("node readiness and cordoning, with and without tolerations", "[kube][scheduler][filter]") {
  const std::string not_ready = "node(s) had untolerated taint {node.kubernetes.io/not-ready: }";
  const std::string unreachable = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }";
  const std::string cordoned = "node(s) were unschedulable";
  struct row {
    std::string name;
    ready_state ready;
    bool unschedulable;
    std::vector<api::toleration> tolerations;
    filter_reasons want;
  };
  const std::vector<row> rows = {
    {"ready", ready_state::true_, false, {}, {}},
    {"not ready", ready_state::false_, false, {}, {not_ready}},
    {"no Ready condition yet", ready_state::missing, false, {}, {not_ready}},
    {"unknown", ready_state::unknown, false, {}, {unreachable}},
    {"cordoned", ready_state::true_, true, {}, {cordoned}},
    {"cordoned and not ready: cordon first", ready_state::false_, true, {}, {cordoned}},
    {"not-ready tolerated", ready_state::false_, false,
     {make_toleration("node.kubernetes.io/not-ready", "Exists", "", "NoSchedule")}, {}},
    {"not-ready tolerated for NoExecute only", ready_state::false_, false,
     {make_toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute")}, {not_ready}},
    {"unreachable tolerated, not-ready is not", ready_state::false_, false,
     {make_toleration("node.kubernetes.io/unreachable", "Exists", "", "")}, {not_ready}},
    {"tolerate everything", ready_state::unknown, true, {make_toleration("", "Exists", "", "")}, {}},
    {"cordon tolerated", ready_state::true_, true,
     {make_toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule")}, {}},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto pod = make_pod("p");
      pod.spec.tolerations = r.tolerations;
      auto info = make_node_info(node_with(r.ready, r.unschedulable));
      CHECK(filter_node_ready(pod, info) == r.want);
    }
  }
}

TEST_CASE("readiness taints are the node lifecycle controller's", "[kube][scheduler][filter]") {
  CHECK_FALSE(readiness_taint(make_node("n")));
  auto t = readiness_taint(node_with(ready_state::unknown, false));
  REQUIRE(t);
  CHECK(t->key == "node.kubernetes.io/unreachable");
  CHECK(t->value.empty());
  CHECK(t->effect == api::taint_effect::no_schedule);
}
