#include "kube/api/micro_timestamp.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::api;

TEST_CASE("micro timestamps are written with exactly six fractional digits", "[kube][api][micro_timestamp][core]") {
  CHECK(format_micro_timestamp(*parse_micro_timestamp("2024-05-01T12:00:00Z")) == "2024-05-01T12:00:00.000000Z");
  CHECK(format_micro_timestamp(*parse_micro_timestamp("2024-05-01T12:00:00.5Z")) == "2024-05-01T12:00:00.500000Z");
  CHECK(format_micro_timestamp(*parse_micro_timestamp("2024-05-01T14:00:00.000001+02:00"))
        == "2024-05-01T12:00:00.000001Z");
}

TEST_CASE("digits beyond microseconds are dropped, so decoding what was written is stable", "[kube][api][micro_timestamp][core]") {
  auto t = parse_micro_timestamp("2024-05-01T12:00:00.123456789Z");
  REQUIRE(t);
  CHECK(format_micro_timestamp(*t) == "2024-05-01T12:00:00.123456Z");
  CHECK(parse_micro_timestamp(format_micro_timestamp(*t)) == t);
}

TEST_CASE("micro timestamp JSON leaf", "[kube][api][micro_timestamp][core]") {
  auto ok = decode<micro_timestamp>(json("2024-05-01T12:03:41.512345Z"));
  REQUIRE(ok.ok());
  CHECK(encode(ok.value) == "2024-05-01T12:03:41.512345Z");

  auto bad = decode<micro_timestamp>(json("yesterday"));
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].message()
        == R"(<root>: Invalid value: "yesterday": must be an RFC 3339 date-time, e.g. "2024-05-01T12:00:00.000000Z")");
  CHECK_FALSE(decode<micro_timestamp>(json(5)).ok());

  CHECK(json_leaf<micro_timestamp>::empty(micro_timestamp{}));
  CHECK(schema<micro_timestamp>()["format"] == "date-time");
}
