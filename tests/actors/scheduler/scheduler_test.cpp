// The scheduler actor end to end against the fake API client, deterministic: informers
// fed from the fake, binds through pods/binding, FailedScheduling events, the
// PodScheduled condition, retries on cluster changes and after backoff.

#include "actors/scheduler/scheduler.hpp"

#include <set>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "tests/actors/scheduler/scheduler_fixture.hpp"

using namespace podvisor;
using fakes::fake_api_client;
using test::scheduler_fixture;
using verb = fake_api_client::verb;
using stats = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>;

TEST_CASE("scheduler: a pod is bound to the node that fits it", "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("small", "1", "1Gi");
  f.add_node("big", "4", "8Gi");
  f.add_pod("web", "2", "1Gi");
  f.settle();
  CHECK(f.node_of("web") == "big");
  CHECK(f.client->calls(verb::create_subresource) == 1);
  CHECK(f.failed_scheduling("web").empty());
  CHECK(f.stats() == stats{0, 0, 0});
}

TEST_CASE("scheduler: a burst respects capacity because chosen pods count at once", "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("n1", "1", "4Gi");
  f.add_node("n2", "1", "4Gi");
  f.settle();
  // Three pods at once, each needing a whole node: the scheduler decides all three
  // before its informer shows any bind, so only its assumptions keep it from doubling up.
  f.add_pod("a", "1", "1Gi");
  f.add_pod("b", "1", "1Gi");
  f.add_pod("c", "1", "1Gi");
  f.pod_mirror->deliver();
  f.run();
  CHECK(f.client->calls(verb::create_subresource) == 2);
  f.settle();
  std::multiset<std::string> placed{f.node_of("a"), f.node_of("b"), f.node_of("c")};
  CHECK(placed == std::multiset<std::string>{"", "n1", "n2"});
  CHECK(f.node_of("c").empty());
  auto events = f.failed_scheduling("c");
  REQUIRE(events.size() == 1);
  CHECK(events[0]["type"] == "Warning");
  CHECK(events[0]["message"] == "0/2 nodes are available: 2 Insufficient cpu.");
  CHECK(f.stats() == stats{0, 1, 0});
}

TEST_CASE("scheduler: an unschedulable pod gets an event and a condition, and is bound when a node fits",
          "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("small", "4", "1Gi");
  f.add_node("tainted", "8", "16Gi");
  REQUIRE(f.client->patch(kube::client::resources::nodes(), "", "tainted", kube::client::patch_type::merge,
                          {{"spec", {{"taints", {{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoSchedule"}}}}}}}));
  f.add_pod("vm", "1", "4Gi");
  f.settle();

  const std::string message =
    "0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: db}.";
  CHECK(f.node_of("vm").empty());
  auto events = f.failed_scheduling("vm");
  REQUIRE(events.size() == 1);
  CHECK(events[0]["message"] == message);
  CHECK(events[0]["source"]["component"] == "default-scheduler");
  auto condition = f.pod_scheduled("vm");
  CHECK(condition["status"] == "False");
  CHECK(condition["reason"] == "Unschedulable");
  CHECK(condition["message"] == message);
  CHECK(f.stats() == stats{0, 1, 0});

  // A node that fits appears: the pod is retried at once, not after its backoff.
  f.add_node("roomy", "4", "8Gi");
  f.settle();
  CHECK(f.node_of("vm") == "roomy");
  CHECK(f.stats() == stats{0, 0, 0});
}

TEST_CASE("scheduler: unschedulable pods are retried with a doubling backoff, one event aggregated",
          "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("small", "1", "1Gi");
  f.add_pod("vm", "1", "4Gi");
  f.settle();
  REQUIRE(f.failed_scheduling("vm").size() == 1);
  CHECK(f.failed_scheduling("vm")[0]["count"] == 1);
  auto status_writes = f.client->calls(verb::update_status);

  f.advance_and_settle(std::chrono::seconds{1}); // first retry after 1 s
  CHECK(f.failed_scheduling("vm")[0]["count"] == 2);
  f.advance_and_settle(std::chrono::seconds{1}); // the next one needs 2 s
  CHECK(f.failed_scheduling("vm")[0]["count"] == 2);
  f.advance_and_settle(std::chrono::seconds{1});
  CHECK(f.failed_scheduling("vm")[0]["count"] == 3);
  CHECK(f.failed_scheduling("vm").size() == 1);
  // The condition already says it: no further status writes.
  CHECK(f.client->calls(verb::update_status) == status_writes);
  // A heartbeat-like node change (a timestamp) does not retry it; more memory does.
  REQUIRE(f.client->patch(kube::client::resources::nodes(), "", "small", kube::client::patch_type::merge,
                          {{"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"},
                                                        {"lastHeartbeatTime", "2024-01-01T00:00:10Z"}}}}}}},
                          "status"));
  f.settle();
  CHECK(f.failed_scheduling("vm")[0]["count"] == 3);
  REQUIRE(f.client->patch(kube::client::resources::nodes(), "", "small", kube::client::patch_type::merge,
                          {{"status", {{"allocatable", {{"cpu", "1"}, {"memory", "8Gi"}, {"pods", "110"}}}}}},
                          "status"));
  f.settle();
  CHECK(f.node_of("vm") == "small");
}

TEST_CASE("scheduler: a pod deleted while it waits is forgotten", "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("small", "1", "1Gi");
  f.add_pod("vm", "1", "4Gi");
  f.settle();
  REQUIRE(f.stats() == stats{0, 1, 0});
  REQUIRE(f.client->remove(kube::client::resources::pods(), "ns", "vm", {}));
  f.settle();
  CHECK(f.stats() == stats{0, 0, 0});
  auto events = f.client->objects(kube::client::resources::events()).size();
  f.add_node("roomy", "4", "8Gi");
  f.advance_and_settle(std::chrono::seconds{120});
  CHECK(f.client->calls(verb::create_subresource) == 0);
  CHECK(f.client->objects(kube::client::resources::events()).size() == events);
}

TEST_CASE("scheduler: a bind conflict (bound by someone else) drops the pod", "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("n1", "4", "8Gi");
  f.settle();
  f.client->on_call(verb::create_subresource, [&] {
    f.client->on_call(verb::create_subresource, {});
    REQUIRE(f.client->patch(kube::client::resources::pods(), "ns", "web", kube::client::patch_type::merge,
                            {{"spec", {{"nodeName", "elsewhere"}}}}));
  });
  f.add_pod("web", "1", "1Gi");
  f.settle();
  CHECK(f.node_of("web") == "elsewhere");
  CHECK(f.client->calls(verb::create_subresource) == 1);
  CHECK(f.failed_scheduling("web").empty());
  CHECK(f.stats() == stats{0, 0, 0});
  f.advance_and_settle(std::chrono::seconds{120});
  CHECK(f.client->calls(verb::create_subresource) == 1);
}

TEST_CASE("scheduler: a failed bind forgets the assumption and retries after the backoff", "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("n1", "1", "8Gi");
  f.settle();
  f.client->fail_next(verb::create_subresource, {errc::unavailable, "server restarting"});
  f.add_pod("web", "1", "1Gi");
  f.settle();
  CHECK(f.node_of("web").empty());
  CHECK(f.stats() == stats{0, 1, 0});
  auto events = f.failed_scheduling("web");
  REQUIRE(events.size() == 1);
  CHECK(events[0]["message"].get<std::string>().rfind("Binding rejected: ", 0) == 0);
  // Were the failed assumption still counted, n1 (one cpu) would look full now.
  f.advance_and_settle(std::chrono::seconds{1});
  CHECK(f.node_of("web") == "n1");
  CHECK(f.stats() == stats{0, 0, 0});
}

TEST_CASE("scheduler: pods of other schedulers, bound, terminating or finished pods are left alone",
          "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("n1", "4", "8Gi");
  f.add_pod("other", "1", "1Gi", {{"schedulerName", "someone-else"}});
  f.add_pod("mine", "1", "1Gi", {{"schedulerName", "default-scheduler"}});
  f.add_pod("pinned", "1", "1Gi", {{"nodeName", "n1"}});
  auto finished = test::pod_json("done", "1", "1Gi");
  finished["status"] = {{"phase", "Succeeded"}};
  REQUIRE(f.client->create(kube::client::resources::pods(), "ns", finished));
  auto deleting = test::pod_json("going", "1", "1Gi");
  deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  REQUIRE(f.client->create(kube::client::resources::pods(), "ns", deleting));
  f.settle();
  CHECK(f.node_of("mine") == "n1");
  CHECK(f.node_of("other").empty());
  CHECK(f.node_of("done").empty());
  CHECK(f.node_of("going").empty());
  CHECK(f.client->calls(verb::create_subresource) == 1);
  CHECK(f.client->objects(kube::client::resources::events()).empty());
}

TEST_CASE("scheduler: a configured name schedules only its own pods", "[actors][scheduler]") {
  actors::scheduler::scheduler_config config;
  config.scheduler_name = "podvisor";
  scheduler_fixture f{config};
  f.add_node("n1", "4", "8Gi");
  f.add_pod("default", "1", "1Gi");
  f.add_pod("ours", "1", "1Gi", {{"schedulerName", "podvisor"}});
  f.settle();
  CHECK(f.node_of("ours") == "n1");
  CHECK(f.node_of("default").empty());
}

TEST_CASE("scheduler: a finished pod frees its node for a waiting one", "[actors][scheduler]") {
  scheduler_fixture f;
  f.add_node("n1", "1", "8Gi");
  f.add_pod("first", "1", "1Gi");
  f.settle();
  REQUIRE(f.node_of("first") == "n1");
  f.add_pod("second", "1", "1Gi");
  f.settle();
  REQUIRE(f.node_of("second").empty());
  REQUIRE(f.client->patch(kube::client::resources::pods(), "ns", "first", kube::client::patch_type::merge,
                          {{"status", {{"phase", "Succeeded"}}}}, "status"));
  f.settle();
  CHECK(f.node_of("second") == "n1");
}

TEST_CASE("scheduler: its writes keep what its pod cache drops (a write after the transform loses nothing)",
          "[actors][scheduler][transform]") {
  scheduler_fixture f;
  f.add_node("small", "1", "1Gi");
  // A pod with what the scheduler's cache drops: bookkeeping, annotations, the
  // container's command and environment, volumes, and kubelet-like status fields.
  auto p = test::pod_json("web", "2", "1Gi");
  p["metadata"]["managedFields"] = {{{"manager", "kubectl"}}};
  p["metadata"]["annotations"] = {{"note", "keep me"}};
  p["spec"]["containers"][0]["command"] = {"/bin/launcher", "--vmi", "/x"};
  p["spec"]["containers"][0]["env"] = {{{"name", "PODVISOR_VMI_JSON"}, {"value", "{\"spec\":{}}"}}};
  p["spec"]["volumes"] = {{{"name", "private"}, {"emptyDir", nlohmann::json::object()}}};
  REQUIRE(f.client->create(podvisor::kube::client::resources::pods(), "ns", p));
  auto stored = f.pod("web");
  stored["status"] = {{"qosClass", "Burstable"}, {"containerStatuses", {{{"name", "c"}, {"ready", false}}}}};
  REQUIRE(f.client->update_status(podvisor::kube::client::resources::pods(), stored));

  // Unschedulable: the PodScheduled condition is written (status writer)...
  f.settle();
  REQUIRE(f.pod_scheduled("web").is_object());
  // ...then a node fits: the bind.
  f.add_node("big", "4", "8Gi");
  f.settle();
  CHECK(f.node_of("web") == "big");

  auto after = f.pod("web");
  CHECK(after["metadata"]["managedFields"] == p["metadata"]["managedFields"]);
  CHECK(after["metadata"]["annotations"] == p["metadata"]["annotations"]);
  CHECK(after["spec"]["containers"][0]["command"] == p["spec"]["containers"][0]["command"]);
  CHECK(after["spec"]["containers"][0]["env"] == p["spec"]["containers"][0]["env"]);
  CHECK(after["spec"]["volumes"] == p["spec"]["volumes"]);
  CHECK(after["status"]["qosClass"] == "Burstable");
  CHECK(after["status"]["containerStatuses"] == stored["status"]["containerStatuses"]);
  CHECK(after["status"]["conditions"][0]["type"] == "PodScheduled");
}
