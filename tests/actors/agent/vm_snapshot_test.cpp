// The introspection snapshot of one supervisor as tables: its JSON (the schema of
// introspect/provider.hpp), the per-VMI metrics, and the registry the server reads
// (publish, watch, remove, console log path).

#include "actors/agent/vm_snapshot.hpp"

#include <fstream>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "actors/agent/introspection_registry.hpp"
#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::actors::agent;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const wall_time t0 = wall_time{} + std::chrono::seconds{1795878245}; // 2026-11-28T15:04:05Z

vm_snapshot sample() {
  vm_snapshot s;
  s.namespace_ = "default";
  s.name = "vm1";
  s.uid = "u1";
  s.node = "node-1";
  s.phase = "Running";
  s.transition("AwaitingLauncher", t0);
  s.transition("WiringNetwork", t0 + 250ms);
  s.transition("WiringNetwork", t0 + 300ms); // the same state: no new entry
  s.transition("Running", t0 + 1250ms);
  s.children = {{"vm_supervisor", 2, 1, 9}};
  s.launcher = {4242, 4300, "running", "/run/vmis/u1/control.sock", 3'000'000'000, 65536, 2,
                {{"default", 1000, 10, 2000, 20, 3, 4, 5, 6}, {"net2", 0, 0, 0, 0}}, {{"rootdisk", 4096, 8, 512, 1}}};
  s.network = {{"default", "masquerade", "k6t-eth0", "tap0", "52:54:00:00:00:01", "10.0.2.2/24", "10.0.2.1", "podvisor-nat"}};
  s.add_lease("default", "52:54:00:00:00:01", "10.0.2.2", t0 + 2s);
  return s;
}

} // namespace

TEST_CASE("vm_snapshot: the JSON follows the provider's schema", "[agent][snapshot]") {
  auto j = to_json(sample(), t0 + 3250ms);
  CHECK(j["namespace"] == "default");
  CHECK(j["state"] == "Running");
  CHECK(j["since"] == "2026-11-28T15:04:06.250Z");
  CHECK(j["phase"] == "Running");
  struct row {
    std::string state, at;
    std::int64_t duration_ms;
  };
  const row rows[] = {
    {"AwaitingLauncher", "2026-11-28T15:04:05.000Z", 250},
    {"WiringNetwork", "2026-11-28T15:04:05.250Z", 1000},
    {"Running", "2026-11-28T15:04:06.250Z", 2000}, // the last one: until the snapshot
  };
  REQUIRE(j["timeline"].size() == std::size(rows));
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    INFO(i);
    CHECK(j["timeline"][i]["state"] == rows[i].state);
    CHECK(j["timeline"][i]["at"] == rows[i].at);
    CHECK(j["timeline"][i]["durationMs"] == rows[i].duration_ms);
  }
  CHECK(j["children"] == json::parse(R"([{"name":"vm_supervisor","restarts":2,"mailbox":1,"messages":9}])"));
  CHECK(j["launcher"] == json::parse(R"({"pid":4242,"qemuPid":4300,"domainState":"running",
                                         "socket":"/run/vmis/u1/control.sock"})"));
  CHECK(j["network"][0] == json::parse(R"({"interface":"default","binding":"masquerade","bridge":"k6t-eth0",
    "tap":"tap0","mac":"52:54:00:00:00:01","guestAddress":"10.0.2.2/24","gateway":"10.0.2.1","nftTable":"podvisor-nat"})"));
  CHECK(j["lease"] == json::parse(R"([{"interface":"default","mac":"52:54:00:00:00:01","ip":"10.0.2.2",
                                       "at":"2026-11-28T15:04:07.000Z"}])"));
  CHECK(j["errors"] == json::array());
}

TEST_CASE("vm_snapshot: an empty snapshot says nothing it does not know", "[agent][snapshot]") {
  vm_snapshot s;
  auto j = to_json(s, t0);
  CHECK(j["state"] == "");
  CHECK_FALSE(j.contains("since"));
  CHECK(j["timeline"] == json::array());
  CHECK(j["launcher"]["pid"] == 0);
}

TEST_CASE("vm_snapshot: leases (renewals keep their time), errors and the timeline are bounded", "[agent][snapshot]") {
  vm_snapshot s;
  CHECK(s.add_lease("default", "m", "10.0.2.2", t0));
  CHECK_FALSE(s.add_lease("default", "m", "10.0.2.2", t0 + 5s)); // renewal
  CHECK(s.leases.at(0).at == t0);
  CHECK(s.add_lease("default", "m", "10.0.2.3", t0 + 6s)); // a new address replaces it
  CHECK(s.leases.size() == 1);
  CHECK(s.leases.at(0).ip == "10.0.2.3");
  for (int i = 0; i < 20; ++i)
    s.add_error("e" + std::to_string(i), t0);
  CHECK(s.errors.size() == vm_snapshot::max_errors);
  CHECK(s.errors.back().message == "e19");
  for (std::size_t i = 0; i < vm_snapshot::max_timeline + 5; ++i)
    s.transition("S" + std::to_string(i), t0);
  CHECK(s.timeline.size() == vm_snapshot::max_timeline);
  CHECK(s.timeline.back().state == "S" + std::to_string(vm_snapshot::max_timeline + 4));
}

TEST_CASE("vm_snapshot: state names from the stage names", "[agent][snapshot]") {
  const std::pair<const char*, const char*> rows[] = {
    {"awaiting_launcher", "AwaitingLauncher"}, {"wiring_network", "WiringNetwork"}, {"running", "Running"},
    {"shutting_down", "ShuttingDown"}, {"finished", "Finished"}};
  for (const auto& [stage, name] : rows)
    CHECK(state_name(stage) == name);
  CHECK(format_time_ms(t0 + 7ms) == "2026-11-28T15:04:05.007Z");
}

TEST_CASE("vm_snapshot: the per-VMI and agent metrics", "[agent][snapshot][metrics]") {
  auto running = sample();
  vm_snapshot waiting;
  waiting.namespace_ = "default";
  waiting.name = "vm2";
  waiting.transition("AwaitingLauncher", t0);
  introspect::prometheus_text out;
  REQUIRE_FALSE(append_vm_metrics(out, {running, waiting}));
  const std::string lines[] = {
    "# TYPE podvisor_vmi_phase gauge\npodvisor_vmi_phase{namespace=\"default\",name=\"vm1\",phase=\"Running\"} 1\n",
    "podvisor_vmi_vcpus{namespace=\"default\",name=\"vm1\"} 2\n",
    "podvisor_vmi_memory_bytes{namespace=\"default\",name=\"vm1\"} 67108864\n",
    "podvisor_vmi_domain_state{namespace=\"default\",name=\"vm1\",state=\"running\"} 1\n",
    "# TYPE podvisor_vmi_cpu_seconds_total counter\npodvisor_vmi_cpu_seconds_total{namespace=\"default\",name=\"vm1\"} 3\n",
    "# TYPE podvisor_vmi_network_receive_bytes_total counter\n"
    "podvisor_vmi_network_receive_bytes_total{namespace=\"default\",name=\"vm1\",interface=\"default\"} 1000\n"
    "podvisor_vmi_network_receive_bytes_total{namespace=\"default\",name=\"vm1\",interface=\"net2\"} 0\n",
    "# TYPE podvisor_vmi_network_transmit_bytes_total counter\n"
    "podvisor_vmi_network_transmit_bytes_total{namespace=\"default\",name=\"vm1\",interface=\"default\"} 2000\n",
    "podvisor_vmi_network_receive_packets_total{namespace=\"default\",name=\"vm1\",interface=\"default\"} 10\n",
    "podvisor_vmi_network_transmit_packets_total{namespace=\"default\",name=\"vm1\",interface=\"default\"} 20\n",
    "# TYPE podvisor_vmi_network_receive_errors_total counter\n"
    "podvisor_vmi_network_receive_errors_total{namespace=\"default\",name=\"vm1\",interface=\"default\"} 3\n",
    "podvisor_vmi_network_receive_packets_dropped_total{namespace=\"default\",name=\"vm1\",interface=\"default\"} 4\n",
    "podvisor_vmi_network_transmit_errors_total{namespace=\"default\",name=\"vm1\",interface=\"default\"} 5\n",
    "podvisor_vmi_network_transmit_packets_dropped_total{namespace=\"default\",name=\"vm1\",interface=\"default\"} 6\n",
    "# TYPE podvisor_vmi_storage_read_bytes_total counter\n"
    "podvisor_vmi_storage_read_bytes_total{namespace=\"default\",name=\"vm1\",drive=\"rootdisk\"} 4096\n",
    "podvisor_vmi_storage_write_bytes_total{namespace=\"default\",name=\"vm1\",drive=\"rootdisk\"} 512\n",
    "podvisor_vmi_storage_read_requests_total{namespace=\"default\",name=\"vm1\",drive=\"rootdisk\"} 8\n",
    "# TYPE podvisor_vmi_storage_write_requests_total counter\n"
    "podvisor_vmi_storage_write_requests_total{namespace=\"default\",name=\"vm1\",drive=\"rootdisk\"} 1\n",
    "podvisor_agent_supervisors{state=\"AwaitingLauncher\"} 1\npodvisor_agent_supervisors{state=\"Running\"} 1\n",
    "podvisor_agent_supervisor_restarts_total 2\n",
  };
  for (const auto& l : lines) {
    INFO(l);
    CHECK(out.text().find(l) != std::string::npos);
  }
  // vm2 reported nothing: no invented values.
  CHECK(out.text().find("name=\"vm2\"") == std::string::npos);
  // Once per text.
  CHECK(append_vm_metrics(out, {}));
}

TEST_CASE("introspection_registry: publish, get, list, watch and remove", "[agent][registry]") {
  introspection_registry r{[] { return t0 + 5s; }};
  CHECK(r.list() == json::array());
  CHECK_FALSE(r.get("default", "vm1"));
  CHECK_FALSE(r.watch("default", "vm1", [](const json&) {}));
  auto s = sample();
  r.publish(s);
  REQUIRE(r.get("default", "vm1"));
  CHECK((*r.get("default", "vm1"))["timeline"][2]["durationMs"] == 3750);
  CHECK(r.list().size() == 1);

  std::vector<json> seen;
  auto sub = r.watch("default", "vm1", [&](const json& j) { seen.push_back(j); });
  REQUIRE(sub);
  REQUIRE(seen.size() == 1); // the current snapshot first
  s.transition("ShuttingDown", t0 + 4s);
  r.publish(s);
  REQUIRE(seen.size() == 2);
  CHECK(seen[1]["state"] == "ShuttingDown");

  r.remove("default", "vm1", "other-uid"); // not this VMI's: ignored
  CHECK(r.get("default", "vm1"));
  r.remove("default", "vm1", "u1");
  REQUIRE(seen.size() == 3);
  CHECK(seen[2].is_null());
  CHECK_FALSE(r.get("default", "vm1"));
  sub->reset(); // after the end: harmless

  // A cancelled watch hears nothing more.
  r.publish(s);
  std::vector<json> other;
  auto sub2 = r.watch("default", "vm1", [&](const json& j) { other.push_back(j); });
  REQUIRE(sub2);
  sub2->reset();
  r.publish(s);
  CHECK(other.size() == 1);

  auto metrics = r.metrics_text();
  CHECK(metrics.find("podvisor_supervisor_info{") != std::string::npos);
  CHECK(metrics.find("podvisor_vmi_vcpus{namespace=\"default\",name=\"vm1\"} 2") != std::string::npos);
}

TEST_CASE("introspection_registry: the console log is under the launcher's root and work dir", "[agent][registry]") {
  scoped_temp_dir proc{"podvisor-fake-proc-"};
  introspection_registry r;
  r.set_proc_root(proc.path());
  CHECK(r.console_log("default", "vm1").error().code == errc::not_found);
  auto s = sample();
  s.launcher.pid = 0;
  r.publish(s);
  CHECK(r.console_log("default", "vm1").error().code == errc::unavailable); // no launcher yet
  s.launcher.pid = 4242;
  r.publish(s);
  CHECK(r.console_log("default", "vm1").error().code == errc::unavailable); // not running
  std::filesystem::create_directories(proc.path() / "4242");
  {
    std::ofstream cmd(proc.path() / "4242/cmdline", std::ios::binary);
    std::string line = std::string("podvisor-launcher\0--vmi\0/w/vmi.json\0--work-dir\0/var/run/podvisor/work\0", 70);
    cmd << line;
  }
  auto p = r.console_log("default", "vm1");
  REQUIRE(p);
  CHECK(*p == proc.path() / "4242/root/var/run/podvisor/work/serial.log");

  const std::pair<std::string, std::string> rows[] = {
    {std::string("a\0--work-dir=/w\0", 16), "/w"},
    {std::string("a\0--work-dir\0", 13), ""},
    {std::string("a\0--work-directory\0/x\0", 22), ""},
    {"", ""},
  };
  for (const auto& [cmdline, dir] : rows)
    CHECK(work_dir_from_cmdline(cmdline) == dir);
}
