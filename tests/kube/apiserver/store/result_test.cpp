#include "kube/apiserver/store/result.hpp"

#include <catch2/catch_test_macros.hpp>

#include <memory>

using namespace podvisor::kube::apiserver;
using podvisor::kube::api::enum_table;
using podvisor::kube::api::parse_enum;
using podvisor::kube::api::to_string;

TEST_CASE("store_errc round-trips through its string table", "[kube][apiserver][store]") {
  for (const auto& entry : enum_table<store_errc>::entries) {
    CHECK(to_string(entry.value) == entry.name);
    CHECK(parse_enum<store_errc>(entry.name) == entry.value);
  }
  CHECK(enum_table<store_errc>::entries.size() == 6);
}

TEST_CASE("store_result holds a value or an error", "[kube][apiserver][store]") {
  store_result<int> ok = 3;
  REQUIRE(ok.has_value());
  CHECK(ok.value() == 3);
  store_result<int> bad = store_error{store_errc::conflict, "stale"};
  REQUIRE_FALSE(bad);
  CHECK(bad.code() == store_errc::conflict);
  CHECK(bad.error().message == "stale");
  store_result<std::unique_ptr<int>> moved = std::make_unique<int>(5);
  auto owned = std::move(moved).value();
  CHECK(*owned == 5);
}
