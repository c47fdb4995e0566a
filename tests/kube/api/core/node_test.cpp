#include "kube/api/core/node.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/core/manifest_testing.hpp"

using namespace podvisor::kube::api;
using podvisor::kube::api::testing::load_core_manifest;
using podvisor::kube::api::testing::require_round_trip;

TEST_CASE("a node with capacity, conditions and taints round-trips exactly", "[kube][api][core][node]") {
  auto in = load_core_manifest("node.json");
  auto n = require_round_trip<node>(in);

  CHECK(n.metadata.namespace_.empty());
  CHECK(n.spec.unschedulable);
  CHECK(n.spec.pod_cidrs.size() == 2);
  CHECK(n.spec.provider_id == "kind://docker/kind/node01");
  REQUIRE(n.spec.taints.size() == 3);
  CHECK(n.spec.taints[0].effect == taint_effect::no_schedule);
  CHECK(n.spec.taints[0].value == "virtualization");
  CHECK_FALSE(n.spec.taints[0].time_added);
  CHECK(n.spec.taints[1].effect == taint_effect::no_execute);
  CHECK(format_timestamp(*n.spec.taints[1].time_added) == "2024-05-01T12:02:10Z");

  const auto& st = n.status;
  CHECK(st.capacity.at("cpu").milli_value() == 8000);
  CHECK(st.allocatable.at("cpu").milli_value() == 7500);
  CHECK(st.allocatable.at("memory") < st.capacity.at("memory"));
  CHECK(st.capacity.at("devices.kubevirt.io/kvm").value() == 1000);
  CHECK(st.capacity.at("hugepages-1Gi").is_zero());
  CHECK(st.allocatable.at("pods").value() == 110);
  REQUIRE(st.conditions.size() == 4);
  CHECK(st.conditions[3].type == "Ready");
  CHECK(st.conditions[3].status == condition_status::unknown);
  CHECK(format_timestamp(st.conditions[3].last_heartbeat_time) == "2024-05-01T12:03:38Z");
  REQUIRE(st.addresses.size() == 3);
  CHECK(st.addresses[2].type == node_address_type::hostname);
  REQUIRE(st.node_info);
  CHECK(st.node_info->kubelet_version == "v1.29.2");
  CHECK(st.node_info->architecture == "amd64");
  CHECK(st.unknown.members.contains("daemonEndpoints"));
  CHECK(st.unknown.members.contains("images"));
}

TEST_CASE("node info is written in full once present, and not at all when absent", "[kube][api][core][node]") {
  auto without = json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n"}})");
  CHECK(encode(decode<node>(without).value) == without);

  node n;
  n.metadata.name = "n";
  n.status.node_info.emplace();
  n.status.node_info->kernel_version = "6.1.0";
  auto out = encode(n);
  const auto& info = out["status"]["nodeInfo"];
  CHECK(info.size() == 10); // every field, as Go writes NodeSystemInfo
  CHECK(info["machineID"] == "");
  CHECK(info["kernelVersion"] == "6.1.0");
}

TEST_CASE("node kind info", "[kube][api][core][node]") {
  constexpr auto k = kind_info<node>::value;
  STATIC_REQUIRE(k.plural == "nodes");
  STATIC_REQUIRE(k.short_names[0] == "no");
  STATIC_REQUIRE_FALSE(k.namespaced);
  STATIC_REQUIRE(k.has_status);
  CHECK(node{}.kind == k.kind);
}
