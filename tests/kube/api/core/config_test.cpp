#include "kube/api/core/config.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/core/manifest_testing.hpp"

using namespace podvisor::kube::api;
using podvisor::kube::api::testing::load_core_manifest;
using podvisor::kube::api::testing::require_round_trip;

TEST_CASE("a config map round-trips exactly", "[kube][api][core][config]") {
  auto in = load_core_manifest("configmap.json");
  auto cm = require_round_trip<config_map>(in);
  CHECK(cm.immutable == false);
  CHECK(cm.data.at("app.conf") == "listen = 0.0.0.0:80\nworkers = 4\n");
  CHECK(cm.binary_data.at("splash.bmp").starts_with("Qk0"));
}

TEST_CASE("a secret round-trips exactly with its data still base64", "[kube][api][core][config]") {
  auto in = load_core_manifest("secret.json");
  auto s = require_round_trip<secret>(in);
  CHECK(s.type == "Opaque");
  CHECK(s.immutable == true);
  CHECK(s.data.at("userdata") == in["data"]["userdata"]);
  CHECK(s.string_data.empty());
}

TEST_CASE("secret stringData and custom types are carried", "[kube][api][core][config]") {
  auto in = json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},
    "stringData":{"password":"hunter2"},"type":"example.com/custom"})");
  auto s = require_round_trip<secret>(in);
  CHECK(s.string_data.at("password") == "hunter2");
  CHECK(s.type == "example.com/custom");
}

TEST_CASE("config map and secret kind info", "[kube][api][core][config]") {
  STATIC_REQUIRE(kind_info<config_map>::value.plural == "configmaps");
  STATIC_REQUIRE(kind_info<config_map>::value.short_names[0] == "cm");
  STATIC_REQUIRE(kind_info<secret>::value.plural == "secrets");
  STATIC_REQUIRE(kind_info<secret>::value.short_names[0].empty());
  STATIC_REQUIRE_FALSE(kind_info<secret>::value.has_status);
  CHECK(secret{}.kind == kind_info<secret>::value.kind);
  CHECK(config_map{}.kind == kind_info<config_map>::value.kind);
}
