#include "kube/scheduler/fit_error.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::scheduler;

TEST_CASE("the FitError message counts reasons and sorts them as strings", "[kube][scheduler]") {
  const std::map<std::string, filter_reasons> unfit = {
    {"n1", {"Insufficient memory"}},
    {"n2", {"node(s) had untolerated taint {node.kubernetes.io/not-ready: }"}},
    {"n3", {"node(s) didn't match Pod's node affinity/selector"}},
  };
  CHECK(fit_error_message(3, unfit) ==
        "0/3 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector, "
        "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.");
}

TEST_CASE("a node with several reasons counts in each", "[kube][scheduler]") {
  const std::map<std::string, filter_reasons> unfit = {
    {"a", {"Insufficient cpu", "Insufficient memory"}},
    {"b", {"Insufficient cpu"}},
  };
  CHECK(fit_error_message(2, unfit) == "0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.");
}

TEST_CASE("counts sort as text, as Go's sort.Strings does", "[kube][scheduler]") {
  std::map<std::string, filter_reasons> unfit;
  for (int i = 0; i < 10; ++i)
    unfit["cpu-" + std::to_string(i)] = {"Insufficient cpu"};
  unfit["m1"] = {"Insufficient memory"};
  unfit["m2"] = {"Insufficient memory"};
  CHECK(fit_error_message(12, unfit) == "0/12 nodes are available: 10 Insufficient cpu, 2 Insufficient memory.");
}

TEST_CASE("no nodes at all", "[kube][scheduler]") {
  CHECK(fit_error_message(0, {}) == "no nodes available to schedule pods");
}
