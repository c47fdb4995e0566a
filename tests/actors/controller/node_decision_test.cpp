#include "actors/controller/node_decision.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::actors::controller;
namespace api = podvisor::kube::api;
using namespace std::chrono_literals;
using wall_time = std::chrono::system_clock::time_point;
using steady_time = podvisor::clock::steady_time;

namespace {

const wall_time w0 = wall_time{std::chrono::seconds{1'700'000'000}};
const steady_time s0 = steady_time{std::chrono::hours{1}};

api::node make_node(std::optional<wall_time> heartbeat) {
  api::node n;
  n.metadata.name = "node-a";
  if (heartbeat) {
    api::node_condition ready;
    ready.type = "Ready";
    ready.status = api::condition_status::true_;
    ready.reason = "KubeletReady";
    ready.last_heartbeat_time = api::timestamp{*heartbeat};
    ready.last_transition_time = api::timestamp{w0 - 1h};
    n.status.conditions.push_back(ready);
  }
  return n;
}

api::lease make_lease(wall_time renew) {
  api::lease l;
  l.metadata.name = "node-a";
  l.metadata.namespace_ = "kube-node-lease";
  l.spec.renew_time = api::micro_timestamp{renew};
  return l;
}

} // namespace

TEST_CASE("a node seen for the first time gets a full grace period", "[node_decision]") {
  // Its heartbeat is far in the past by our wall clock: skew or not, we do not judge it.
  auto node = make_node(w0 - 24h);
  auto d = decide_node({.node = node, .lease = nullptr, .previous = std::nullopt, .now = s0, .grace_period = 40s});
  CHECK_FALSE(d.stale);
  CHECK_FALSE(d.mark_unknown);
  CHECK(d.recheck_after == 40s);
  CHECK(d.health.observed_at == s0);
}

TEST_CASE("a lease that keeps being renewed keeps the node fresh", "[node_decision]") {
  auto node = make_node(w0);
  auto lease = make_lease(w0);
  auto d1 = decide_node({.node = node, .lease = &lease, .previous = std::nullopt, .now = s0, .grace_period = 40s});
  // 30 s later the lease moved (the node's clock may say anything; it moved).
  lease = make_lease(w0 - 5min);
  auto d2 = decide_node({.node = node, .lease = &lease, .previous = d1.health, .now = s0 + 30s, .grace_period = 40s});
  CHECK(d2.health.observed_at == s0 + 30s);
  auto d3 = decide_node({.node = node, .lease = &lease, .previous = d2.health, .now = s0 + 69s, .grace_period = 40s});
  CHECK_FALSE(d3.stale);
  CHECK(d3.recheck_after == 1s);
}

TEST_CASE("a heartbeat that stops moving makes the node stale after the grace period", "[node_decision]") {
  auto node = make_node(w0);
  auto lease = make_lease(w0);
  auto d1 = decide_node({.node = node, .lease = &lease, .previous = std::nullopt, .now = s0, .grace_period = 40s});
  auto d2 = decide_node({.node = node, .lease = &lease, .previous = d1.health, .now = s0 + 39s, .grace_period = 40s});
  CHECK_FALSE(d2.stale);
  auto d3 = decide_node({.node = node, .lease = &lease, .previous = d2.health, .now = s0 + 40s, .grace_period = 40s});
  CHECK(d3.stale);
  CHECK(d3.mark_unknown);
  CHECK_FALSE(d3.recheck_after);

  // Marked Unknown already: no second write, still stale.
  REQUIRE(mark_node_unknown(node.status, w0 + 40s));
  auto d4 = decide_node({.node = node, .lease = &lease, .previous = d3.health, .now = s0 + 45s, .grace_period = 40s});
  CHECK(d4.stale);
  CHECK_FALSE(d4.mark_unknown);

  // The node's Ready heartbeat moving alone (no lease) is enough to be fresh again.
  auto back = make_node(w0 + 50s);
  auto d5 = decide_node({.node = back, .lease = &lease, .previous = d4.health, .now = s0 + 50s, .grace_period = 40s});
  CHECK_FALSE(d5.stale);
}

TEST_CASE("marking a node unknown sets Ready and the pressure conditions, keeps the heartbeat", "[node_decision]") {
  auto node = make_node(w0);
  api::node_condition mem;
  mem.type = "MemoryPressure";
  mem.status = api::condition_status::false_;
  api::node_condition other;
  other.type = "NetworkUnavailable";
  other.status = api::condition_status::false_;
  node.status.conditions.push_back(mem);
  node.status.conditions.push_back(other);

  CHECK(mark_node_unknown(node.status, w0 + 41s));
  const auto& ready = node.status.conditions[0];
  CHECK(ready.status == api::condition_status::unknown);
  CHECK(ready.reason == "NodeStatusUnknown");
  CHECK(ready.message == "Kubelet stopped posting node status.");
  CHECK(ready.last_heartbeat_time.time == w0);
  CHECK(ready.last_transition_time.time == w0 + 41s);
  CHECK(node.status.conditions[1].status == api::condition_status::unknown);
  CHECK(node.status.conditions[2].status == api::condition_status::false_);
  CHECK_FALSE(mark_node_unknown(node.status, w0 + 50s));

  api::node_status never;
  CHECK(mark_node_unknown(never, w0));
  REQUIRE(never.conditions.size() == 1);
  CHECK(never.conditions[0].type == "Ready");
  CHECK(never.conditions[0].reason == "NodeStatusNeverUpdated");
}

TEST_CASE("the VMIs on an unresponsive node that have not ended are failed", "[node_decision]") {
  auto vmi = [](std::string name, std::string node, api::vmi_phase phase) {
    api::virtual_machine_instance v;
    v.metadata.name = std::move(name);
    v.status.node_name = std::move(node);
    v.status.phase = phase;
    return v;
  };
  auto running = vmi("a", "node-a", api::vmi_phase::running);
  auto scheduled = vmi("b", "node-a", api::vmi_phase::scheduled);
  auto done = vmi("c", "node-a", api::vmi_phase::succeeded);
  auto elsewhere = vmi("d", "node-b", api::vmi_phase::running);
  auto unplaced = vmi("e", "", api::vmi_phase::pending);
  auto deleting = vmi("f", "node-a", api::vmi_phase::running);
  deleting.metadata.deletion_timestamp = api::timestamp{w0};
  auto picked = vmis_to_fail("node-a", {&running, &scheduled, &done, &elsewhere, &unplaced, &deleting});
  REQUIRE(picked.size() == 2);
  CHECK(picked[0]->metadata.name == "a");
  CHECK(picked[1]->metadata.name == "b");

  CHECK(fail_vmi_node_unresponsive(running.status, w0));
  CHECK(running.status.phase == api::vmi_phase::failed);
  CHECK(running.status.reason == "NodeUnresponsive");
  REQUIRE(running.status.phase_transition_timestamps.size() == 1);
  CHECK(running.status.phase_transition_timestamps[0].phase == api::vmi_phase::failed);
  CHECK_FALSE(fail_vmi_node_unresponsive(done.status, w0));
  CHECK(done.status.phase == api::vmi_phase::succeeded);
}
