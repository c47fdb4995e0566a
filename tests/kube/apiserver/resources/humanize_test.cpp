#include "kube/apiserver/resources/humanize.hpp"

#include <catch2/catch_test_macros.hpp>

#include "fixtures.hpp"

using namespace podvisor::kube::apiserver;
using namespace std::chrono;
using testing::at;

TEST_CASE("human_duration matches apimachinery's HumanDuration", "[kube][apiserver][resources][humanize]") {
  struct row {
    nanoseconds d;
    const char* want;
  };
  const row rows[] = {
    {seconds(-3), "<invalid>"},
    {seconds(-2), "<invalid>"},
    {milliseconds(-1999), "0s"}, // truncated toward zero: -1 s is tolerated skew
    {seconds(-1), "0s"},
    {seconds(0), "0s"},
    {seconds(1), "1s"},
    {seconds(59), "59s"},
    {seconds(119), "119s"},
    {seconds(120), "2m"},
    {seconds(121), "2m1s"},
    {minutes(3) + seconds(20), "3m20s"},
    {minutes(9) + seconds(59), "9m59s"},
    {minutes(10), "10m"},
    {minutes(10) + seconds(59), "10m"},
    {minutes(179), "179m"},
    {minutes(180), "3h"},
    {hours(5) + minutes(10), "5h10m"},
    {hours(7) + minutes(59), "7h59m"},
    {hours(8), "8h"},
    {hours(47) + minutes(59), "47h"},
    {hours(48), "2d"},
    {hours(49), "2d1h"},
    {hours(24 * 7 + 23), "7d23h"},
    {hours(24 * 8), "8d"},
    {hours(24 * 729), "729d"},
    {hours(24 * 730), "2y"},
    {hours(24 * 731), "2y1d"},
    {hours(24 * (365 * 8 - 1)), "7y364d"},
    {hours(24 * 365 * 8), "8y"},
    {hours(24 * 365 * 20), "20y"},
  };
  for (const auto& r : rows) {
    INFO(duration_cast<milliseconds>(r.d).count() << " ms");
    CHECK(human_duration(r.d) == r.want);
  }
}

TEST_CASE("short_human_duration keeps one unit", "[kube][apiserver][resources][humanize]") {
  CHECK(short_human_duration(seconds(-5)) == "<invalid>");
  CHECK(short_human_duration(seconds(59)) == "59s");
  CHECK(short_human_duration(seconds(200)) == "3m");
  CHECK(short_human_duration(hours(5) + minutes(59)) == "5h");
  CHECK(short_human_duration(hours(24 * 40)) == "40d");
  CHECK(short_human_duration(hours(24 * 365 * 3)) == "3y");
}

TEST_CASE("age_since renders timestamps against an injected now", "[kube][apiserver][resources][humanize]") {
  auto now = at("2024-05-01T12:05:00Z");
  CHECK(age_since(json("2024-05-01T12:00:00Z"), now) == "5m");
  CHECK(age_since(json("2024-05-01T12:01:40Z"), now) == "3m20s");
  CHECK(age_since(json("2024-05-01T14:00:00+02:00"), now) == "5m");
  CHECK(age_since(json("2024-05-01T12:05:01Z"), now) == "0s");
  CHECK(age_since(json("2024-05-01T12:06:00Z"), now) == "<invalid>");
  CHECK(age_since(json(nullptr), now) == "<unknown>");
  CHECK(age_since(json("yesterday"), now) == "<unknown>");
  CHECK(age_since_rfc3339("", now) == "<unknown>");
  CHECK(age_since_rfc3339("0001-01-01T00:00:00Z", now) == "<unknown>");
  CHECK(age_since_rfc3339("1970-01-01T00:00:00Z", now) == "<unknown>");
}
