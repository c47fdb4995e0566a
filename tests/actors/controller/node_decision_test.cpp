#include "actors/controller/node_decision.hpp"

#include <optional>
#include <string>
#include <vector>

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

namespace {

/// A node whose podlet keeps beating (its Ready heartbeat at `podlet`), with the agent's
/// heartbeat annotation when given and the schedulable label when given.
api::node agent_node(wall_time podlet, std::optional<std::string> agent_beat,
                     std::optional<std::string> schedulable = "true") {
  auto n = make_node(podlet);
  if (agent_beat)
    n.metadata.annotations[agent_heartbeat_annotation] = *agent_beat;
  if (schedulable)
    n.metadata.labels[schedulable_label] = *schedulable;
  return n;
}

} // namespace

TEST_CASE("agent heartbeat: judged by when it last moved on our clock, with the grace period", "[node_decision]") {
  // Each row: a look at the node `at` seconds after the first, with the agent's
  // annotation and the label as they are then. The podlet beats at every look, so only
  // the agent can go stale.
  struct row {
    int at;
    std::optional<std::string> beat;
    std::optional<std::string> label;
    bool agent_stale;
    bool mark_unschedulable;
    std::optional<std::chrono::nanoseconds> recheck_after;
  };
  const std::vector<row> rows = {
    // first look: a full grace period, even for an annotation from long ago
    {0, "2020-01-01T00:00:00.000000Z", "true", false, false, 40s},
    // unchanged for 39 s: still fresh, look again in 1 s
    {39, "2020-01-01T00:00:00.000000Z", "true", false, false, 1s},
    // unchanged for 40 s: stale, make the node unschedulable
    {40, "2020-01-01T00:00:00.000000Z", "true", true, true, 40s},
    // the label is "false" already: stale, nothing more to write
    {45, "2020-01-01T00:00:00.000000Z", "false", true, false, 40s},
    // it moved (the agent is back; its clock may say anything): fresh, the grace period anew
    {50, "2019-06-01T00:00:00.000000Z", "true", false, false, 40s},
    // 40 s after that without moving, and the label missing: stale, write "false"
    {90, "2019-06-01T00:00:00.000000Z", std::nullopt, true, true, 40s},
  };
  std::optional<node_health> previous;
  for (const auto& r : rows) {
    CAPTURE(r.at);
    // The podlet's heartbeat moves at every look, so the node itself stays fresh and
    // its own recheck is the full grace period.
    auto node = agent_node(w0 + std::chrono::seconds{r.at}, r.beat, r.label);
    auto d = decide_node({.node = node, .lease = nullptr, .previous = previous,
                          .now = s0 + std::chrono::seconds{r.at}, .grace_period = 40s});
    CHECK_FALSE(d.stale);
    CHECK(d.agent_stale == r.agent_stale);
    CHECK(d.mark_unschedulable == r.mark_unschedulable);
    CHECK(d.recheck_after == r.recheck_after);
    previous = d.health;
  }
}

TEST_CASE("agent heartbeat: the earlier of the two timeouts decides when to look again", "[node_decision]") {
  // The podlet's heartbeat stands still from the start; the agent's moves at 30 s.
  auto first = agent_node(w0, "2024-01-01T00:00:00.000000Z");
  auto d1 = decide_node({.node = first, .lease = nullptr, .previous = std::nullopt, .now = s0, .grace_period = 40s});
  auto moved = agent_node(w0, "2024-01-01T00:00:30.000000Z");
  auto d2 = decide_node({.node = moved, .lease = nullptr, .previous = d1.health, .now = s0 + 30s, .grace_period = 40s});
  CHECK(d2.recheck_after == 10s); // the podlet's timeout comes first
  auto d3 = decide_node({.node = moved, .lease = nullptr, .previous = d2.health, .now = s0 + 40s, .grace_period = 40s});
  CHECK(d3.stale);
  CHECK_FALSE(d3.agent_stale);
  CHECK(d3.recheck_after == 30s); // now only the agent's is pending
  auto d4 = decide_node({.node = moved, .lease = nullptr, .previous = d3.health, .now = s0 + 70s, .grace_period = 40s});
  CHECK(d4.stale);
  CHECK(d4.agent_stale);
  CHECK(d4.mark_unschedulable);
  CHECK_FALSE(d4.recheck_after);
}

TEST_CASE("agent heartbeat: a node that never had one has no agent and is left alone", "[node_decision]") {
  // Even a node labelled schedulable by hand: without the annotation there is nothing to judge.
  auto node = agent_node(w0, std::nullopt, "true");
  auto d1 = decide_node({.node = node, .lease = nullptr, .previous = std::nullopt, .now = s0, .grace_period = 40s});
  auto later = agent_node(w0 + 300s, std::nullopt, "true");
  auto d2 = decide_node({.node = later, .lease = nullptr, .previous = d1.health, .now = s0 + 300s, .grace_period = 40s});
  CHECK_FALSE(d2.agent_stale);
  CHECK_FALSE(d2.mark_unschedulable);
  CHECK(d2.recheck_after == 40s); // the podlet's only
  CHECK_FALSE(d2.health.agent_heartbeat);
  // An agent that appears later gets a full grace period from then.
  auto appears = agent_node(w0 + 310s, "2024-01-01T00:05:10.000000Z");
  auto d3 = decide_node({.node = appears, .lease = nullptr, .previous = d2.health, .now = s0 + 310s, .grace_period = 40s});
  CHECK(d3.health.agent_observed_at == s0 + 310s);
  CHECK_FALSE(d3.agent_stale);
}
