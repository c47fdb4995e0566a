#include "kube/apiserver/resources/accept.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::kube::apiserver;

namespace {

// What kubectl 1.30+ sends for /api and /apis.
constexpr const char* kubectl_132 =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
// What kubectl 1.27-1.29 send: v2beta1 only.
constexpr const char* kubectl_127 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
// What `kubectl get` sends for tables.
constexpr const char* kubectl_table =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

} // namespace

TEST_CASE("discovery negotiation sends aggregated v2 only when asked for", "[kube][apiserver][resources][accept]") {
  auto agg = negotiate_discovery(kubectl_132);
  CHECK(agg.aggregated);
  CHECK(agg.content_type == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");

  // "v=v2beta1" contains "v=v2": a substring match would wrongly answer v2 here.
  auto beta = negotiate_discovery(kubectl_127);
  CHECK_FALSE(beta.aggregated);
  CHECK(beta.content_type == "application/json");
  CHECK_FALSE(negotiate_discovery("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList").aggregated);

  CHECK_FALSE(negotiate_discovery("").aggregated);
  CHECK_FALSE(negotiate_discovery("application/json").aggregated);
  CHECK_FALSE(negotiate_discovery("*/*").aggregated);
  CHECK_FALSE(negotiate_discovery("application/vnd.kubernetes.protobuf,application/json").aggregated);
  // Plain JSON listed first is preferred.
  CHECK_FALSE(negotiate_discovery("application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
                .aggregated);
  // A protobuf aggregated range is skipped; the JSON one after it wins.
  CHECK(negotiate_discovery("application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
          .aggregated);
  // Wrong group or kind: legacy.
  CHECK_FALSE(negotiate_discovery("application/json;g=example.com;v=v2;as=APIGroupDiscoveryList").aggregated);
  CHECK_FALSE(negotiate_discovery("application/json;g=apidiscovery.k8s.io;v=v2;as=Table").aggregated);
  // Whitespace and quoting are tolerated; quality values order the ranges.
  CHECK(negotiate_discovery("application/json; g=apidiscovery.k8s.io; v=\"v2\"; as=APIGroupDiscoveryList").aggregated);
  CHECK(negotiate_discovery("application/json;q=0.5, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
          .aggregated);
  CHECK_FALSE(negotiate_discovery("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0").aggregated);
}

TEST_CASE("table negotiation", "[kube][apiserver][resources][accept]") {
  auto t = negotiate_table(kubectl_table);
  CHECK(t.table);
  CHECK(t.api_version == "meta.k8s.io/v1");
  CHECK(t.content_type == "application/json;as=Table;v=v1;g=meta.k8s.io");

  auto beta = negotiate_table("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
  CHECK(beta.table);
  CHECK(beta.api_version == "meta.k8s.io/v1beta1");

  CHECK_FALSE(negotiate_table("application/json").table);
  CHECK_FALSE(negotiate_table("").table);
  CHECK_FALSE(negotiate_table("application/vnd.kubernetes.protobuf,application/json").table);
  CHECK_FALSE(negotiate_table("application/json;as=Table;v=v2;g=meta.k8s.io,application/json").table);
  CHECK_FALSE(negotiate_table("application/json;as=Table;v=v1;g=example.com").table);
  CHECK(negotiate_table("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,"
                        "application/json;as=Table;v=v1;g=meta.k8s.io")
          .table);
}

TEST_CASE("parse_accept splits ranges, parameters and qualities", "[kube][apiserver][resources][accept]") {
  auto ranges = parse_accept(" Application/JSON ; AS=Table ;q=0.9, text/plain;q=0, bogus, application/yaml");
  REQUIRE(ranges.size() == 2);
  CHECK(ranges[0].type == "application");
  CHECK(ranges[0].subtype == "yaml");
  CHECK(ranges[1].subtype == "json");
  CHECK(ranges[1].params.at("as") == "Table");
  CHECK(ranges[1].q == 0.9);
}
