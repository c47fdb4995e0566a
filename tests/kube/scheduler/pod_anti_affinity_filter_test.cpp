#include "kube/scheduler/pod_anti_affinity_filter.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using namespace podvisor::kube::scheduler::testing;

namespace {

const filter_reasons own{"node(s) didn't match pod anti-affinity rules"};
const filter_reasons existing{"node(s) didn't satisfy existing pods anti-affinity rules"};

api::pod labelled(std::string name, std::string app, std::string ns = "default") {
  auto p = make_pod(std::move(name), "", "", std::move(ns));
  p.metadata.labels["app"] = std::move(app);
  return p;
}

// n1 (zone a) runs web-1 in default and db-1 in prod; n2 (zone a) and n3 (zone b) are empty.
cluster_snapshot cluster() {
  auto n1 = make_node("n1");
  n1.metadata.labels = {{"kubernetes.io/hostname", "n1"}, {"zone", "a"}};
  auto n2 = make_node("n2");
  n2.metadata.labels = {{"zone", "a"}}; // no hostname label: its own name stands in
  auto n3 = make_node("n3");
  n3.metadata.labels = {{"kubernetes.io/hostname", "n3"}, {"zone", "b"}};
  cluster_snapshot s;
  s.nodes = {make_node_info(n1, {labelled("web-1", "web"), labelled("db-1", "db", "prod")}),
             make_node_info(n2), make_node_info(n3)};
  s.namespace_labels = {{"prod", {{"env", "prod"}}}, {"default", {{"env", "dev"}}}};
  return s;
}

filter_reasons on(const api::pod& p, const cluster_snapshot& s, std::size_t node) {
  return filter_pod_anti_affinity(p, s.nodes[node], s);
}

} // namespace

TEST_CASE("the pod's own required anti-affinity terms", "[kube][scheduler][filter]") {
  const auto s = cluster();
  struct row {
    std::string name;
    api::pod_affinity_term term;
    filter_reasons n1, n2, n3;
  };
  auto all_namespaces = anti_term("app", "db");
  all_namespaces.namespace_selector = api::label_selector{};
  auto prod_by_selector = anti_term("app", "db");
  prod_by_selector.namespace_selector = api::label_selector{};
  prod_by_selector.namespace_selector->match_labels["env"] = "prod";
  auto prod_by_name = anti_term("app", "db");
  prod_by_name.namespaces = {"prod"};
  auto no_selector = anti_term("app", "web");
  no_selector.label_selector_.reset();
  auto everything = anti_term("app", "web");
  everything.label_selector_->match_labels.clear();
  auto bad_selector = anti_term("app", "web");
  bad_selector.label_selector_->match_expressions.push_back(
    {.key = "app", .operator_ = api::label_selector_operator::in, .values = {}, .unknown = {}});

  const std::vector<row> rows = {
    {"same app on the node", anti_term("app", "web"), own, {}, {}},
    {"no such pod anywhere", anti_term("app", "cache"), {}, {}, {}},
    {"zone topology keeps the whole zone out", anti_term("app", "web", "zone"), own, own, {}},
    {"a node without the topology label is in no domain", anti_term("app", "web", "rack"), {}, {}, {}},
    {"other namespaces are not searched by default", anti_term("app", "db"), {}, {}, {}},
    {"namespaces by name", prod_by_name, own, {}, {}},
    {"namespaces by selector", prod_by_selector, own, {}, {}},
    {"an empty namespace selector means all", all_namespaces, own, {}, {}},
    {"no label selector selects no pod", no_selector, {}, {}, {}},
    {"an empty label selector selects every pod", everything, own, {}, {}},
    {"an invalid selector selects nothing", bad_selector, {}, {}, {}},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto p = labelled("web-2", "web");
      add_anti_affinity(p, r.term);
      CHECK(on(p, s, 0) == r.n1);
      CHECK(on(p, s, 1) == r.n2);
      CHECK(on(p, s, 2) == r.n3);
    }
  }
}

TEST_CASE("anti-affinity of the pods already placed", "[kube][scheduler][filter]") {
  auto s = cluster();
  auto guard = labelled("guard", "guard");
  add_anti_affinity(guard, anti_term("app", "web"));
  s.nodes[2].add_pod(guard); // on n3

  CHECK(on(labelled("web-2", "web"), s, 2) == existing);
  CHECK(on(labelled("web-2", "web"), s, 1).empty());
  CHECK(on(labelled("db-2", "db"), s, 2).empty());
  // The guard's term searches its own namespace only.
  CHECK(on(labelled("web-2", "web", "prod"), s, 2).empty());

  SECTION("existing pods are checked before the pod's own terms") {
    auto p = labelled("web-2", "web");
    add_anti_affinity(p, anti_term("app", "guard"));
    CHECK(on(p, s, 2) == existing);
  }
  SECTION("a terminated pod keeps nothing away") {
    s.nodes[2].remove_pod("default", "guard");
    guard.status.phase = api::pod_phase::succeeded;
    s.nodes[2].add_pod(guard);
    CHECK(on(labelled("web-2", "web"), s, 2).empty());
  }
}

TEST_CASE("two replicas that avoid each other", "[kube][scheduler][filter]") {
  auto s = cluster();
  auto replica = [](std::string name) {
    auto p = labelled(std::move(name), "vm");
    add_anti_affinity(p, anti_term("app", "vm"));
    return p;
  };
  s.nodes[1].add_pod(replica("vm-1"));
  // Both directions name the same pods; the existing pod's rule is reported.
  CHECK(on(replica("vm-2"), s, 1) == existing);
  CHECK(on(replica("vm-2"), s, 0).empty());
}

TEST_CASE("topology values", "[kube][scheduler][filter]") {
  auto n = make_node("n1");
  CHECK(topology_value(n, "kubernetes.io/hostname") == "n1");
  CHECK_FALSE(topology_value(n, "zone"));
  n.metadata.labels["kubernetes.io/hostname"] = "host-1";
  CHECK(topology_value(n, "kubernetes.io/hostname") == "host-1");
}
