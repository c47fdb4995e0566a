#include "kube/api/kubevirt/clock.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("clock enum tables match KubeVirt", "[kube][api][kubevirt][clock]") {
  check_enum_table<hpet_tick_policy>({"delay", "catchup", "merge", "discard"});
  check_enum_table<pit_tick_policy>({"delay", "catchup", "discard"});
  check_enum_table<rtc_tick_policy>({"delay", "catchup"});
  check_enum_table<rtc_timer_track>({"guest", "wall"});
}

TEST_CASE("a clock with a UTC offset and timers round-trips", "[kube][api][kubevirt][clock]") {
  auto in = json::parse(R"({"utc":{"offsetSeconds":-3600},"timer":{
    "hpet":{"present":false},"kvm":{},"pit":{"tickPolicy":"delay"},
    "rtc":{"tickPolicy":"catchup","track":"guest"},"hyperv":{"present":true}}})");
  auto c = round_trip<domain_clock>(in);
  REQUIRE(c.utc);
  CHECK(c.utc->offset_seconds == -3600);
  CHECK_FALSE(c.timezone);
  REQUIRE(c.timer);
  CHECK(c.timer->hpet->enabled == false); // JSON "present"
  CHECK(c.timer->kvm.has_value());
  CHECK_FALSE(c.timer->kvm->enabled);
  CHECK(c.timer->pit->tick_policy == pit_tick_policy::delay);
  CHECK(c.timer->rtc->track == rtc_timer_track::guest);
}

TEST_CASE("a clock in a time zone round-trips", "[kube][api][kubevirt][clock]") {
  auto c = round_trip<domain_clock>(json::parse(R"({"timezone":"Europe/Berlin"})"));
  CHECK(c.timezone == "Europe/Berlin");
}
