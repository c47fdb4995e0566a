#include "kube/scheduler/taint_filter.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using namespace podvisor::kube::scheduler::testing;

TEST_CASE("toleration against taint, as v1.Toleration.ToleratesTaint", "[kube][scheduler][filter]") {
  const auto taint = make_taint("dedicated", "vm", api::taint_effect::no_schedule);
  struct row {
    std::string key, op, value, effect;
    bool want;
  };
  const std::vector<row> rows = {
    {"dedicated", "Equal", "vm", "NoSchedule", true},
    {"dedicated", "", "vm", "NoSchedule", true},   // no operator means Equal
    {"dedicated", "Equal", "db", "NoSchedule", false},
    {"dedicated", "Equal", "", "NoSchedule", false},
    {"dedicated", "Exists", "", "NoSchedule", true},
    {"dedicated", "Exists", "anything", "", true}, // Exists ignores the value; no effect = all
    {"dedicated", "Equal", "vm", "NoExecute", false},
    {"dedicated", "Equal", "vm", "", true},
    {"other", "Exists", "", "", false},
    {"", "Exists", "", "", true},                  // tolerates every taint
    {"", "Exists", "", "NoExecute", false},        // ... of the given effect only
    {"dedicated", "Like", "vm", "", false},        // unknown operator
  };
  for (const auto& r : rows) {
    CAPTURE(r.key, r.op, r.value, r.effect);
    CHECK(tolerates(make_toleration(r.key, r.op, r.value, r.effect), taint) == r.want);
  }
}

TEST_CASE("the taint filter reports the first untolerated NoSchedule or NoExecute taint", "[kube][scheduler][filter]") {
  auto node = make_node("n1");
  node.spec.taints = {make_taint("soft", "", api::taint_effect::prefer_no_schedule),
                      make_taint("dedicated", "vm", api::taint_effect::no_schedule),
                      make_taint("maintenance", "", api::taint_effect::no_execute)};
  auto info = make_node_info(node);
  struct row {
    std::string name;
    std::vector<api::toleration> tolerations;
    filter_reasons want;
  };
  const std::vector<row> rows = {
    {"nothing tolerated", {}, {"node(s) had untolerated taint {dedicated: vm}"}},
    {"first tolerated", {make_toleration("dedicated", "Equal", "vm", "NoSchedule")},
     {"node(s) had untolerated taint {maintenance: }"}},
    {"both tolerated",
     {make_toleration("dedicated", "Equal", "vm", ""), make_toleration("maintenance", "Exists", "", "NoExecute")},
     {}},
    {"everything tolerated", {make_toleration("", "Exists", "", "")}, {}},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto pod = make_pod("p");
      pod.spec.tolerations = r.tolerations;
      CHECK(filter_taints(pod, info) == r.want);
    }
  }
  SECTION("PreferNoSchedule alone never filters") {
    auto soft = make_node("n2");
    soft.spec.taints = {make_taint("soft", "", api::taint_effect::prefer_no_schedule)};
    CHECK(filter_taints(make_pod("p"), make_node_info(soft)).empty());
  }
}
