#include "kube/api/core/pvc.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/core/manifest_testing.hpp"

using namespace podvisor::kube::api;
using podvisor::kube::api::testing::load_core_manifest;
using podvisor::kube::api::testing::require_round_trip;

TEST_CASE("a bound claim round-trips exactly", "[kube][api][core][pvc]") {
  auto in = load_core_manifest("pvc.json");
  auto c = require_round_trip<persistent_volume_claim>(in);
  REQUIRE(c.spec.access_modes.size() == 1);
  CHECK(c.spec.access_modes[0] == persistent_volume_access_mode::read_write_once);
  CHECK(c.spec.resources.requests.at("storage") == *quantity::parse("10Gi"));
  CHECK(c.spec.storage_class_name == "local-path");
  CHECK(c.spec.volume_mode == enum_field{persistent_volume_mode::filesystem});
  CHECK(c.spec.selector->match_labels.at("tier") == "fast");
  CHECK(c.spec.unknown.members.contains("dataSourceRef"));
  CHECK(c.status.phase == persistent_volume_claim_phase::bound);
  CHECK(c.status.capacity.at("storage").value() == 10LL * 1024 * 1024 * 1024);
  CHECK(c.status.unknown.members.contains("conditions"));
  CHECK(c.metadata.finalizers == std::vector<std::string>{"kubernetes.io/pvc-protection"});
}

TEST_CASE("an empty storage class is kept apart from an absent one", "[kube][api][core][pvc]") {
  auto in = json::parse(R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"c"},
    "spec":{"storageClassName":"","volumeName":"pv-1"}})");
  auto c = require_round_trip<persistent_volume_claim>(in);
  CHECK(c.spec.storage_class_name == "");
  in["spec"].erase("storageClassName");
  c = require_round_trip<persistent_volume_claim>(in);
  CHECK_FALSE(c.spec.storage_class_name);
}

TEST_CASE("pvc kind info", "[kube][api][core][pvc]") {
  constexpr auto k = kind_info<persistent_volume_claim>::value;
  STATIC_REQUIRE(k.plural == "persistentvolumeclaims");
  STATIC_REQUIRE(k.short_names[0] == "pvc");
  STATIC_REQUIRE(k.namespaced);
  STATIC_REQUIRE(k.has_status);
  CHECK(persistent_volume_claim{}.kind == k.kind);
}
