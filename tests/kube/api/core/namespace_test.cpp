#include "kube/api/core/namespace.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/core/manifest_testing.hpp"

using namespace podvisor::kube::api;
using podvisor::kube::api::testing::load_core_manifest;
using podvisor::kube::api::testing::require_round_trip;

TEST_CASE("a terminating namespace round-trips exactly", "[kube][api][core][namespace]") {
  auto in = load_core_manifest("namespace.json");
  auto ns = require_round_trip<namespace_>(in);
  CHECK(ns.spec.finalizers == std::vector<std::string>{"kubernetes"});
  CHECK(ns.status.phase == namespace_phase::terminating);
  CHECK(ns.metadata.deletion_timestamp.has_value());
  CHECK(ns.status.unknown.members.contains("conditions"));
}

TEST_CASE("namespace kind info", "[kube][api][core][namespace]") {
  constexpr auto k = kind_info<namespace_>::value;
  STATIC_REQUIRE(k.plural == "namespaces");
  STATIC_REQUIRE(k.short_names[0] == "ns");
  STATIC_REQUIRE_FALSE(k.namespaced);
  STATIC_REQUIRE(k.has_status);
  CHECK(namespace_{}.kind == k.kind);
}
