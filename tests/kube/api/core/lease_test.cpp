#include "kube/api/core/lease.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/core/manifest_testing.hpp"

using namespace podvisor::kube::api;
using podvisor::kube::api::testing::load_core_manifest;
using podvisor::kube::api::testing::require_round_trip;

TEST_CASE("a leader-election lease round-trips exactly", "[kube][api][core][lease]") {
  auto in = load_core_manifest("lease.json");
  auto l = require_round_trip<lease>(in);
  CHECK(l.api_version == "coordination.k8s.io/v1");
  CHECK(l.spec.holder_identity == "virt-controller-6d8f9c7b5-abcde");
  CHECK(l.spec.lease_duration_seconds == 15);
  CHECK(l.spec.lease_transitions == 0); // present though zero
  REQUIRE(l.spec.renew_time);
  CHECK(format_micro_timestamp(*l.spec.renew_time) == "2024-05-01T12:03:41.512345Z");
  CHECK(*l.spec.acquire_time < *l.spec.renew_time);
}

TEST_CASE("lease pointers keep absent apart from empty", "[kube][api][core][lease]") {
  auto free_lease = json::parse(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
    "metadata":{"name":"l","namespace":"kube-node-lease"},"spec":{"leaseDurationSeconds":40}})");
  auto a = require_round_trip<lease>(free_lease);
  CHECK_FALSE(a.spec.holder_identity);

  auto empty_holder = free_lease;
  empty_holder["spec"]["holderIdentity"] = "";
  auto b = require_round_trip<lease>(empty_holder);
  CHECK(b.spec.holder_identity == "");
}

TEST_CASE("lease times are written with microseconds", "[kube][api][core][lease]") {
  lease l;
  l.metadata.name = "node01";
  l.spec.renew_time = parse_micro_timestamp("2024-05-01T12:00:00Z");
  CHECK(encode(l)["spec"]["renewTime"] == "2024-05-01T12:00:00.000000Z");
}

TEST_CASE("lease kind info", "[kube][api][core][lease]") {
  constexpr auto k = kind_info<lease>::value;
  STATIC_REQUIRE(k.group == "coordination.k8s.io");
  STATIC_REQUIRE(k.api_version() == "coordination.k8s.io/v1");
  STATIC_REQUIRE(k.plural == "leases");
  STATIC_REQUIRE(k.namespaced);
  STATIC_REQUIRE_FALSE(k.has_status);
  CHECK(lease{}.api_version == k.api_version());
}
