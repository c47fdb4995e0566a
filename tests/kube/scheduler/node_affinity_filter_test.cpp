#include "kube/scheduler/node_affinity_filter.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/scheduler/test_support.hpp"

using namespace podvisor::kube;
using namespace podvisor::kube::scheduler;
using namespace podvisor::kube::scheduler::testing;

namespace {

api::node_selector_requirement req(std::string key, std::string op, std::vector<std::string> values = {}) {
  api::node_selector_requirement r;
  r.key = std::move(key);
  r.operator_.set_raw(std::move(op));
  r.values = std::move(values);
  return r;
}

api::node labelled_node() {
  auto n = make_node("node-a");
  n.metadata.labels = {{"zone", "a"}, {"kubevirt.io/schedulable", "true"}, {"cores", "8"}, {"weird", "x8"}};
  return n;
}

api::pod pod_with_terms(std::vector<api::node_selector_term> terms) {
  auto p = make_pod("p");
  p.spec.affinity_.emplace();
  p.spec.affinity_->node_affinity_.emplace();
  p.spec.affinity_->node_affinity_->required_during_scheduling_ignored_during_execution =
    api::node_selector{.node_selector_terms = std::move(terms), .unknown = {}};
  return p;
}

api::node_selector_term term(std::vector<api::node_selector_requirement> exprs,
                             std::vector<api::node_selector_requirement> fields = {}) {
  return {.match_expressions = std::move(exprs), .match_fields = std::move(fields), .unknown = {}};
}

} // namespace

TEST_CASE("nodeSelector: every entry must be a label with that value", "[kube][scheduler][filter]") {
  const auto node = labelled_node();
  struct row {
    std::map<std::string, std::string> selector;
    bool want;
  };
  const std::vector<row> rows = {
    {{}, true},
    {{{"zone", "a"}}, true},
    {{{"zone", "a"}, {"kubevirt.io/schedulable", "true"}}, true},
    {{{"zone", "b"}}, false},
    {{{"zone", "a"}, {"gpu", "yes"}}, false},
    {{{"zone", ""}}, false},
  };
  for (const auto& r : rows) {
    auto p = make_pod("p");
    p.spec.node_selector = r.selector;
    CAPTURE(r.selector);
    CHECK(matches_node_selector(p, node) == r.want);
  }
}

TEST_CASE("one node selector requirement against labels", "[kube][scheduler][filter]") {
  const auto labels = labelled_node().metadata.labels;
  struct row {
    api::node_selector_requirement r;
    bool want;
  };
  const std::vector<row> rows = {
    {req("zone", "In", {"a", "b"}), true},
    {req("zone", "In", {"b"}), false},
    {req("missing", "In", {"a"}), false},
    {req("zone", "In", {}), false}, // invalid: In needs values
    {req("zone", "NotIn", {"b"}), true},
    {req("zone", "NotIn", {"a"}), false},
    {req("missing", "NotIn", {"a"}), true}, // absent satisfies NotIn
    {req("zone", "NotIn", {}), false},      // invalid
    {req("zone", "Exists"), true},
    {req("missing", "Exists"), false},
    {req("zone", "Exists", {"a"}), false}, // invalid: Exists takes no values
    {req("missing", "DoesNotExist"), true},
    {req("zone", "DoesNotExist"), false},
    {req("cores", "Gt", {"4"}), true},
    {req("cores", "Gt", {"8"}), false},
    {req("cores", "Lt", {"16"}), true},
    {req("cores", "Lt", {"-1"}), false},
    {req("cores", "Gt", {"4", "5"}), false}, // invalid: exactly one value
    {req("cores", "Gt", {"four"}), false},   // invalid: not an integer
    {req("weird", "Gt", {"1"}), false},      // the label is not an integer
    {req("missing", "Lt", {"100"}), false},
    {req("zone", "Matches", {"a"}), false},  // unknown operator
  };
  for (const auto& r : rows) {
    CAPTURE(r.r.key, r.r.operator_.raw(), r.r.values);
    CHECK(matches_label_requirement(r.r, labels) == r.want);
  }
}

TEST_CASE("required node affinity: terms ORed, expressions ANDed", "[kube][scheduler][filter]") {
  const auto node = labelled_node();
  struct row {
    std::string name;
    std::vector<api::node_selector_term> terms;
    bool want;
  };
  const std::vector<row> rows = {
    {"one matching term", {term({req("zone", "In", {"a"})})}, true},
    {"all expressions must hold", {term({req("zone", "In", {"a"}), req("gpu", "Exists")})}, false},
    {"any term may hold", {term({req("gpu", "Exists")}), term({req("zone", "In", {"a"})})}, true},
    {"no term holds", {term({req("gpu", "Exists")}), term({req("zone", "NotIn", {"a"})})}, false},
    {"an empty term matches nothing", {term({})}, false},
    {"an empty term list matches nothing", {}, false},
    {"matchFields on the node's name", {term({}, {req("metadata.name", "In", {"node-a"})})}, true},
    {"matchFields NotIn", {term({}, {req("metadata.name", "NotIn", {"node-a"})})}, false},
    {"matchFields on another field", {term({}, {req("metadata.uid", "In", {"node-a"})})}, false},
    {"matchFields and expressions ANDed",
     {term({req("zone", "In", {"a"})}, {req("metadata.name", "In", {"node-b"})})}, false},
  };
  for (const auto& r : rows) {
    DYNAMIC_SECTION(r.name) {
      auto p = pod_with_terms(r.terms);
      CHECK(matches_required_node_affinity(p, node) == r.want);
      auto reasons = filter_node_affinity(p, make_node_info(node));
      if (r.want)
        CHECK(reasons.empty());
      else
        CHECK(reasons == filter_reasons{"node(s) didn't match Pod's node affinity/selector"});
    }
  }
}

TEST_CASE("no node affinity, or only preferred terms, lets every node through", "[kube][scheduler][filter]") {
  const auto info = make_node_info(labelled_node());
  auto p = make_pod("p");
  CHECK(filter_node_affinity(p, info).empty());
  p.spec.affinity_.emplace();
  p.spec.affinity_->node_affinity_.emplace();
  p.spec.affinity_->node_affinity_->preferred_during_scheduling_ignored_during_execution.push_back(
    {.weight = 10, .preference = term({req("zone", "In", {"b"})}), .unknown = {}});
  CHECK(filter_node_affinity(p, info).empty());
}

TEST_CASE("nodeSelector and required affinity must both hold", "[kube][scheduler][filter]") {
  const auto info = make_node_info(labelled_node());
  auto p = pod_with_terms({term({req("zone", "In", {"a"})})});
  p.spec.node_selector = {{"zone", "b"}};
  CHECK(filter_node_affinity(p, info) == filter_reasons{"node(s) didn't match Pod's node affinity/selector"});
  p.spec.node_selector = {{"zone", "a"}};
  CHECK(filter_node_affinity(p, info).empty());
}
