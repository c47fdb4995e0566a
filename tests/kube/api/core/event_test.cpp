#include "kube/api/core/event.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/core/manifest_testing.hpp"

using namespace podvisor::kube::api;
using podvisor::kube::api::testing::load_core_manifest;
using podvisor::kube::api::testing::require_round_trip;

TEST_CASE("a recorder event round-trips exactly", "[kube][api][core][event]") {
  auto in = load_core_manifest("event.json");
  auto e = require_round_trip<event>(in);
  CHECK(e.involved_object.kind == "VirtualMachineInstance");
  CHECK(e.involved_object.namespace_ == "default");
  CHECK(e.reason == "SuccessfulCreate");
  CHECK(e.type == event_type::normal);
  CHECK(e.count == 3);
  CHECK(e.source.component == "virtualmachine-controller");
  CHECK(format_timestamp(e.last_timestamp) == "2024-05-01T12:00:41Z");
  CHECK(e.event_time == micro_timestamp{}); // unset: omitted rather than written
}

TEST_CASE("an event with a micro time, related object and series round-trips", "[kube][api][core][event]") {
  auto in = load_core_manifest("event-series.json");
  auto e = require_round_trip<event>(in);
  CHECK(format_micro_timestamp(e.event_time) == "2024-05-01T12:00:01.482913Z");
  CHECK(e.type == event_type::warning);
  CHECK(e.action == "Binding");
  CHECK(e.involved_object.field_path == "spec.containers{compute}");
  REQUIRE(e.related);
  CHECK((*e.related)["kind"] == "Node");
  CHECK(e.reporting_instance == "default-scheduler-control-plane");
  CHECK(e.unknown.members.contains("series"));
}

TEST_CASE("an empty event still writes the fields Go always writes", "[kube][api][core][event]") {
  auto out = encode(event{});
  CHECK(out == json::parse(R"({"apiVersion":"v1","kind":"Event","metadata":{},"involvedObject":{},
    "reportingComponent":"","reportingInstance":""})"));
}

TEST_CASE("event kind info", "[kube][api][core][event]") {
  constexpr auto k = kind_info<event>::value;
  STATIC_REQUIRE(k.plural == "events");
  STATIC_REQUIRE(k.short_names[0] == "ev");
  STATIC_REQUIRE(k.namespaced);
  STATIC_REQUIRE_FALSE(k.has_status);
  CHECK(event{}.kind == k.kind);
}
