// The node agent's heartbeat under CAF's test coordinator against the in-memory fake
// API client, API calls run inline: the patch it writes, its period, its retry.

#include <catch2/catch_test_macros.hpp>

#include "actors/agent/node_heartbeat.hpp"
#include "common/clock.hpp"
#include "kube/client/resource.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using fakes::fake_api_client;
using nlohmann::json;
namespace resources = podvisor::kube::client::resources;

namespace {

/// A Node as the podlet registers it, with a label of its own that must survive.
json registered_node(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
          {"status", {{"capacity", {{"devices.kubevirt.io/kvm", "1000"}}}}}};
}

json node_of(fake_api_client& client, const std::string& name) {
  auto node = client.get(resources::nodes(), "", name);
  REQUIRE(node);
  return *node;
}

} // namespace

TEST_CASE("node_heartbeat_patch: the label, the heartbeat in RFC 3339 and the KVM verdict", "[node_heartbeat]") {
  manual_clock clock;
  auto patch = actors::agent::node_heartbeat_patch(true, clock.wall_now());
  CHECK(patch == json::parse(R"({"metadata": {
          "labels": {"podvisor.io/schedulable": "true"},
          "annotations": {"podvisor.io/agent-heartbeat": "2024-01-01T00:00:00.000000Z", "podvisor.io/kvm": "true"}}})"));
  clock.advance(std::chrono::milliseconds{1500});
  patch = actors::agent::node_heartbeat_patch(false, clock.wall_now());
  CHECK(patch["metadata"]["annotations"]["podvisor.io/agent-heartbeat"] == "2024-01-01T00:00:01.500000Z");
  CHECK(patch["metadata"]["annotations"]["podvisor.io/kvm"] == "false");
}

TEST_CASE("node heartbeat: patches at once, then every interval, keeping the node's other labels",
          "[node_heartbeat]") {
  test::deterministic_system s;
  auto client = std::make_shared<fake_api_client>();
  REQUIRE(client->create(resources::nodes(), "", registered_node("n1")));
  manual_clock clock;
  actors::agent::node_heartbeat_config cfg;
  cfg.node_name = "n1";
  cfg.kvm_usable = false;
  cfg.interval = std::chrono::seconds{15};
  cfg.clock = &clock;
  s.keep(actors::agent::spawn_node_heartbeat(s.sys, cfg, client, actors::kube::make_inline_executor()));
  s.run();

  auto node = node_of(*client, "n1");
  CHECK(node["metadata"]["labels"] ==
        json{{"kubernetes.io/hostname", "n1"}, {"podvisor.io/schedulable", "true"}});
  CHECK(node["metadata"]["annotations"]["podvisor.io/agent-heartbeat"] == "2024-01-01T00:00:00.000000Z");
  CHECK(node["metadata"]["annotations"]["podvisor.io/kvm"] == "false");
  CHECK(node["status"]["capacity"]["devices.kubevirt.io/kvm"] == "1000"); // the podlet's, untouched

  SECTION("the next beat comes after the interval, not before") {
    clock.advance(std::chrono::seconds{14});
    s.advance(std::chrono::seconds{14});
    CHECK(client->calls(fake_api_client::verb::patch) == 1);
    clock.advance(std::chrono::seconds{1});
    s.advance(std::chrono::seconds{1});
    CHECK(client->calls(fake_api_client::verb::patch) == 2);
    CHECK(node_of(*client, "n1")["metadata"]["annotations"]["podvisor.io/agent-heartbeat"] ==
          "2024-01-01T00:00:15.000000Z");
  }

  SECTION("a label the node controller turned false is true again at the next beat") {
    REQUIRE(client->patch(resources::nodes(), "", "n1", kube::client::patch_type::merge,
                          json{{"metadata", {{"labels", {{"podvisor.io/schedulable", "false"}}}}}}));
    clock.advance(std::chrono::seconds{15});
    s.advance(std::chrono::seconds{15});
    CHECK(node_of(*client, "n1")["metadata"]["labels"]["podvisor.io/schedulable"] == "true");
  }

  SECTION("a failed patch is retried after the retry interval, not a whole interval later") {
    client->fail_next(fake_api_client::verb::patch, {errc::unavailable, "down"}, 2);
    clock.advance(std::chrono::seconds{15});
    s.advance(std::chrono::seconds{15}); // fails
    clock.advance(std::chrono::seconds{1});
    s.advance(std::chrono::seconds{1}); // fails again
    CHECK(node_of(*client, "n1")["metadata"]["annotations"]["podvisor.io/agent-heartbeat"] ==
          "2024-01-01T00:00:00.000000Z");
    clock.advance(std::chrono::seconds{1});
    s.advance(std::chrono::seconds{1}); // succeeds
    CHECK(client->calls(fake_api_client::verb::patch) == 4);
    CHECK(node_of(*client, "n1")["metadata"]["annotations"]["podvisor.io/agent-heartbeat"] ==
          "2024-01-01T00:00:17.000000Z");
  }
}

TEST_CASE("node heartbeat: a node not registered yet is retried until the podlet creates it", "[node_heartbeat]") {
  test::deterministic_system s;
  auto client = std::make_shared<fake_api_client>();
  manual_clock clock;
  actors::agent::node_heartbeat_config cfg;
  cfg.node_name = "n2";
  cfg.kvm_usable = true;
  cfg.clock = &clock;
  s.keep(actors::agent::spawn_node_heartbeat(s.sys, cfg, client, actors::kube::make_inline_executor()));
  s.run();
  CHECK_FALSE(client->get(resources::nodes(), "", "n2"));
  REQUIRE(client->create(resources::nodes(), "", registered_node("n2")));
  s.advance(std::chrono::seconds{1});
  auto node = node_of(*client, "n2");
  CHECK(node["metadata"]["labels"]["podvisor.io/schedulable"] == "true");
  CHECK(node["metadata"]["annotations"]["podvisor.io/kvm"] == "true");
}
