#include "virt/converter/clock_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("clock: offset from utc, offsetSeconds or timezone", "[virt][converter]") {
  struct row {
    const char* clock;
    clock_offset offset;
    const char* timezone;
    std::optional<std::int64_t> adjustment;
  };
  const row rows[] = {
    {"{}", clock_offset::utc, "", std::nullopt},
    {R"({"utc":{}})", clock_offset::utc, "", std::nullopt},
    {R"({"utc":{"offsetSeconds":-3600}})", clock_offset::variable, "", -3600},
    {R"({"timezone":"Europe/Berlin"})", clock_offset::timezone, "Europe/Berlin", std::nullopt},
  };
  for (const auto& r : rows) {
    INFO(r.clock);
    auto in = input_from(std::string(R"({"domain":{"clock":)") + r.clock + R"(,"devices":{}}})");
    conversion_problems problems;
    check_clock(in, problems);
    CHECK(problems.empty());
    domain d;
    configure_clock(in, d);
    CHECK(d.clock.offset == r.offset);
    CHECK(d.clock.timezone == r.timezone);
    CHECK(d.clock.adjustment == r.adjustment);
  }
}

TEST_CASE("clock: timers in a fixed order with their policies", "[virt][converter]") {
  auto in = input_from(R"({"domain":{"clock":{"utc":{},"timer":{
    "rtc":{"tickPolicy":"catchup","track":"guest"},"pit":{"tickPolicy":"delay"},
    "hpet":{"present":false},"kvm":{"present":true}}},"devices":{}}})");
  domain d;
  configure_clock(in, d);
  const std::vector<clock_timer> expected{
    {"hpet", "", false, ""},
    {"kvmclock", "", true, ""},
    {"pit", "delay", std::nullopt, ""},
    {"rtc", "catchup", std::nullopt, "guest"},
  };
  CHECK(d.clock.timers == expected);
}

TEST_CASE("clock: utc and timezone together are refused", "[virt][converter]") {
  auto in = input_from(R"({"domain":{"clock":{"utc":{},"timezone":"UTC"},"devices":{}}})");
  conversion_problems problems;
  check_clock(in, problems);
  CHECK(problems.invalid.size() == 1);
}
