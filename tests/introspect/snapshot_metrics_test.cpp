#include "introspect/snapshot_metrics.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::introspect;
using nlohmann::json;

namespace {
bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}
} // namespace

TEST_CASE("supervisor metrics: one family each, samples from every snapshot", "[introspect][metrics]") {
  auto snapshots = json::parse(R"([
    {"namespace": "default", "name": "vm1", "uid": "u1", "node": "n1", "state": "Running", "phase": "Running",
     "timeline": [{"state": "WiringNetwork", "durationMs": 1250}, {"state": "Starting", "durationMs": 80},
                  {"state": "Running", "durationMs": 5000}],
     "children": [{"name": "launcher-watch", "restarts": 2, "mailbox": 3, "messages": 17}],
     "launcher": {"pid": 42},
     "lease": [{"interface": "default", "mac": "52:54:00:00:00:01", "ip": "10.0.2.2"}]},
    {"namespace": "default", "name": "vm\"2", "state": "AwaitingLauncher", "timeline": "broken", "launcher": {"pid": 0}}
  ])");
  prometheus_text out;
  REQUIRE_FALSE(append_supervisor_metrics(out, snapshots));
  const auto& t = out.text();
  CHECK(has(t, R"(podvisor_supervisor_info{namespace="default",name="vm1",uid="u1",node="n1",state="Running",phase="Running"} 1)"));
  CHECK(has(t, R"(podvisor_supervisor_info{namespace="default",name="vm\"2",uid="",node="",state="AwaitingLauncher",phase=""} 1)"));
  CHECK(has(t, R"(podvisor_supervisor_transitions_total{namespace="default",name="vm1"} 3)"));
  CHECK(has(t, R"(podvisor_supervisor_transitions_total{namespace="default",name="vm\"2"} 0)"));
  CHECK(has(t, R"(podvisor_supervisor_step_duration_seconds{namespace="default",name="vm1",state="WiringNetwork"} 1.25)"));
  CHECK(has(t, R"(podvisor_supervisor_step_duration_seconds{namespace="default",name="vm1",state="Starting"} 0.08)"));
  CHECK(has(t, R"(podvisor_actor_restarts_total{namespace="default",name="vm1",actor="launcher-watch"} 2)"));
  CHECK(has(t, R"(podvisor_actor_mailbox_depth{namespace="default",name="vm1",actor="launcher-watch"} 3)"));
  CHECK(has(t, R"(podvisor_launcher_running{namespace="default",name="vm1"} 1)"));
  CHECK(has(t, R"(podvisor_launcher_running{namespace="default",name="vm\"2"} 0)"));
  CHECK(has(t, R"(podvisor_vmi_lease_info{namespace="default",name="vm1",interface="default",mac="52:54:00:00:00:01",ip="10.0.2.2"} 1)"));
  CHECK(has(t, "# TYPE podvisor_actor_restarts_total counter"));
  CHECK(has(t, "# TYPE podvisor_actor_mailbox_depth gauge"));
  CHECK(has(t, R"(podvisor_actor_messages_total{namespace="default",name="vm1",actor="launcher-watch"} 17)"));
  CHECK(has(t, "# TYPE podvisor_actor_messages_total counter"));
}

TEST_CASE("supervisor metrics: no snapshots still declare the families; twice is an error", "[introspect][metrics]") {
  prometheus_text out;
  REQUIRE_FALSE(append_supervisor_metrics(out, json::array()));
  CHECK(has(out.text(), "# TYPE podvisor_supervisor_info gauge"));
  CHECK(out.text().find("} 1") == std::string::npos);
  CHECK(append_supervisor_metrics(out, json::array()) == errc::invalid_argument);
  prometheus_text not_array;
  CHECK_FALSE(append_supervisor_metrics(not_array, json{{"x", 1}}));
}
