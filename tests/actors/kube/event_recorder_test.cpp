// The event recorder against the in-memory fake client with a manual clock: Events are
// created once and then patched (count, lastTimestamp) while the same thing keeps
// happening within the aggregation window.

#include "actors/kube/event_recorder.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "actors/kube/event_builder.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using namespace podvisor::protocols;
using fakes::fake_api_client;
using verb = fake_api_client::verb;

namespace {

struct recorder_fixture : test::deterministic_system {
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  podvisor::manual_clock clock;
  event_recorder_actor recorder;

  recorder_fixture() {
    actors::kube::event_recorder_config cfg;
    cfg.component = "podvisor-controller";
    cfg.host = "node-1";
    cfg.aggregation_window = std::chrono::minutes{10};
    cfg.clock = &clock;
    recorder = keep(actors::kube::spawn_event_recorder(sys, cfg, client, actors::kube::make_inline_executor()));
  }

  void record(const std::string& name, const std::string& reason, const std::string& message,
              const std::string& type = "Normal", const std::string& ns = "ns") {
    object_reference ref{"kubevirt.io/v1", "VirtualMachineInstance", ns, name, "uid-" + name, "7", ""};
    caf::anon_send(recorder, event_record{ref, type, reason, message});
  }

  std::vector<nlohmann::json> events() { return client->objects(podvisor::kube::client::resources::events()); }
};

} // namespace

TEST_CASE("event_recorder: the first occurrence creates an Event about the object", "[actors][kube][event_recorder]") {
  recorder_fixture f;
  f.record("web", "Started", "VirtualMachineInstance started.");
  f.run();
  auto events = f.events();
  REQUIRE(events.size() == 1);
  const auto& e = events[0];
  // 2024-01-01T00:00:00Z in nanoseconds, in hex: client-go's "%v.%x" of name and UnixNano.
  CHECK(e["metadata"]["name"] == "web.17a6101701650000");
  CHECK(e["metadata"]["namespace"] == "ns");
  CHECK(e["involvedObject"] == nlohmann::json{{"apiVersion", "kubevirt.io/v1"},
                                               {"kind", "VirtualMachineInstance"},
                                               {"namespace", "ns"},
                                               {"name", "web"},
                                               {"uid", "uid-web"},
                                               {"resourceVersion", "7"}});
  CHECK(e["reason"] == "Started");
  CHECK(e["message"] == "VirtualMachineInstance started.");
  CHECK(e["type"] == "Normal");
  CHECK(e["count"] == 1);
  CHECK(e["firstTimestamp"] == "2024-01-01T00:00:00Z");
  CHECK(e["lastTimestamp"] == "2024-01-01T00:00:00Z");
  CHECK(e["source"] == nlohmann::json{{"component", "podvisor-controller"}, {"host", "node-1"}});
  CHECK(e["reportingComponent"] == "podvisor-controller");
}

TEST_CASE("event_recorder: a repeat within the window patches count and lastTimestamp",
          "[actors][kube][event_recorder]") {
  recorder_fixture f;
  f.record("web", "Started", "started");
  f.run();
  f.clock.advance(std::chrono::seconds{5});
  f.record("web", "Started", "started");
  f.run();
  f.clock.advance(std::chrono::seconds{5});
  f.record("web", "Started", "started");
  f.run();
  auto events = f.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0]["count"] == 3);
  CHECK(events[0]["firstTimestamp"] == "2024-01-01T00:00:00Z");
  CHECK(events[0]["lastTimestamp"] == "2024-01-01T00:00:10Z");
  CHECK(f.client->calls(verb::create) == 1);
  CHECK(f.client->calls(verb::patch) == 2);
}

TEST_CASE("event_recorder: another reason, message, type or object is another Event",
          "[actors][kube][event_recorder]") {
  recorder_fixture f;
  f.record("web", "Started", "started");
  f.record("web", "Started", "started again, differently");
  f.record("web", "Stopped", "started");
  f.record("web", "Started", "started", "Warning");
  f.record("db", "Started", "started");
  f.run();
  auto events = f.events();
  CHECK(events.size() == 5);
  for (const auto& e : events)
    CHECK(e["count"] == 1);
}

TEST_CASE("event_recorder: after the window a repeat starts a new Event", "[actors][kube][event_recorder]") {
  recorder_fixture f;
  f.record("web", "Started", "started");
  f.run();
  f.clock.advance(std::chrono::minutes{11});
  f.record("web", "Started", "started");
  f.run();
  auto events = f.events();
  REQUIRE(events.size() == 2);
  CHECK(events[0]["count"] == 1);
  CHECK(events[1]["count"] == 1);
  CHECK(events[0]["metadata"]["name"] != events[1]["metadata"]["name"]);
}

TEST_CASE("event_recorder: a burst while a write is in flight costs one create and one patch",
          "[actors][kube][event_recorder]") {
  recorder_fixture f;
  for (int i = 0; i < 5; ++i)
    f.record("web", "Migrating", "migrating");
  f.run();
  auto events = f.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0]["count"] == 5);
  CHECK(f.client->calls(verb::create) == 1);
  CHECK(f.client->calls(verb::patch) == 1);
}

TEST_CASE("event_recorder: an Event deleted on the server is re-created with the count so far",
          "[actors][kube][event_recorder]") {
  recorder_fixture f;
  f.record("web", "Started", "started");
  f.run();
  auto first = f.events().at(0);
  REQUIRE(f.client->remove(podvisor::kube::client::resources::events(), "ns",
                           first["metadata"]["name"].get<std::string>(), {}));
  f.clock.advance(std::chrono::seconds{1});
  f.record("web", "Started", "started");
  f.run();
  auto events = f.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0]["count"] == 2);
  CHECK(events[0]["metadata"]["name"] != first["metadata"]["name"]);
  CHECK(events[0]["firstTimestamp"] == "2024-01-01T00:00:00Z");
}

TEST_CASE("event_recorder: a failed create is dropped, and the next occurrence tries again",
          "[actors][kube][event_recorder]") {
  recorder_fixture f;
  f.client->fail_next(verb::create, {errc::forbidden, "no"});
  f.record("web", "Started", "started");
  f.run();
  CHECK(f.events().empty());
  f.record("web", "Started", "started");
  f.run();
  REQUIRE(f.events().size() == 1);
  CHECK(f.events()[0]["count"] == 1);
}

TEST_CASE("event_recorder: Events about cluster-scoped objects go to the default namespace",
          "[actors][kube][event_recorder]") {
  recorder_fixture f;
  caf::anon_send(f.recorder, event_record{{"v1", "Node", "", "node-1", "uid-n", "", ""}, "Normal", "Ready", "ok"});
  f.run();
  auto events = f.events();
  REQUIRE(events.size() == 1);
  CHECK(events[0]["metadata"]["namespace"] == "default");
  CHECK_FALSE(events[0]["involvedObject"].contains("namespace"));
}

TEST_CASE("event_builder: names, keys and patches", "[actors][kube][event_recorder]") {
  using namespace actors::kube;
  CHECK(event_name("web", 0) == "web.0");
  CHECK(event_name("web", 255) == "web.ff");
  CHECK(event_name("vm.x", 0x17a6b2eb90e00000ULL) == "vm.x.17a6b2eb90e00000");
  event_record a{{"v1", "Pod", "ns", "p", "u", "1", ""}, "Normal", "R", "m"};
  auto b = a;
  b.involved.resource_version = "2"; // a new version of the same object: still the same event
  CHECK(aggregation_key(a) == aggregation_key(b));
  b.message = "m2";
  CHECK(aggregation_key(a) != aggregation_key(b));
  auto c = a;
  c.involved.field_path = "spec.containers{compute}";
  CHECK(aggregation_key(a) != aggregation_key(c));
  auto t = std::chrono::system_clock::time_point{} + std::chrono::seconds{1700000000};
  CHECK(count_patch(4, t) == nlohmann::json{{"count", 4}, {"lastTimestamp", "2023-11-14T22:13:20Z"}});
}
