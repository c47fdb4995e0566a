// The agent and its supervisors under CAF's test coordinator: real informers fed from
// the fake API client (informer_mirror), the real status writer and event recorder on
// the inline executor, and a fake launcher backend per VMI whose blocking calls answer
// at once and whose watch stream the test drives.

#include "actors/agent/agent.hpp"
#include "actors/agent/introspection_registry.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "actors/kube/event_recorder.hpp"
#include "actors/kube/status_writer.hpp"
#include "kube/client/resource.hpp"
#include "tests/actors/controller/informer_mirror.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using namespace podvisor::actors::agent;
using nlohmann::json;
using fakes::fake_api_client;
namespace res = podvisor::kube::client::resources;

namespace {

/// One launcher as the fake backend sees it; the test sets it up and reads what the
/// supervisor did.
struct fake_launcher {
  bool socket_present = true;
  bool awaiting_start = true;
  int pid = 4242;
  std::string phase = "idle";
  /// What start does: the phase it reports afterwards and the lease it gives.
  std::string phase_after_start = "running";
  std::vector<backend_lease> leases_after_start{{"default", "52:54:00:12:34:56", "10.0.2.2"}};
  error start_result;
  /// Throw from connect (a crashing supervisor).
  bool crash_on_connect = false;

  int connects = 0;
  int starts = 0;
  std::vector<std::optional<std::int64_t>> shutdowns;
  std::vector<std::vector<interface_plan>> wirings;
  std::map<std::string, std::string> started_with;
  std::vector<backend_lease> leases;
  event_sink sink;

  void emit_phase(const std::string& p, const std::string& reason = {}) {
    phase = p;
    REQUIRE(sink);
    backend_event ev;
    ev.phase = p;
    ev.reason = reason;
    sink(ev);
  }
  void lose_connection(const std::string& why) {
    REQUIRE(sink);
    sink(error{errc::unavailable, why});
  }
};

class fake_backend final : public vm_backend {
public:
  explicit fake_backend(std::shared_ptr<fake_launcher> l) : l_(std::move(l)) {}
  expected<backend_hello> connect(std::chrono::milliseconds) override {
    ++l_->connects;
    if (l_->crash_on_connect)
      throw std::runtime_error("injected crash");
    if (!l_->socket_present)
      return error{errc::unavailable, "control.sock: no such file"};
    return backend_hello{l_->pid, l_->awaiting_start};
  }
  expected<std::map<std::string, std::string>> wire_network(int, const std::vector<interface_plan>& plans) override {
    l_->wirings.push_back(plans);
    std::map<std::string, std::string> out;
    for (const auto& p : plans)
      out[p.name] = p.state_path.string();
    return out;
  }
  error start(const std::map<std::string, std::string>& networks) override {
    ++l_->starts;
    l_->started_with = networks;
    if (!l_->start_result.ok())
      return l_->start_result;
    l_->awaiting_start = false;
    l_->phase = l_->phase_after_start;
    l_->leases = l_->leases_after_start;
    return {};
  }
  expected<backend_status> status() override {
    backend_status s;
    s.phase = l_->phase;
    s.leases = l_->leases;
    s.domain_state = l_->phase == "running" ? "running" : "";
    s.qemu_pid = l_->phase == "running" ? 4300 : 0;
    s.cpu_time_ns = 1'500'000'000;
    if (l_->phase == "running") {
      s.interfaces = {{"default", 4200, 7, 1300, 5}};
      s.blocks = {{"rootdisk", 8192, 2, 0, 0}};
    }
    s.memory_kib = 65536;
    s.vcpus = 1;
    return s;
  }
  std::vector<network_wiring> wiring() override {
    return {{"default", "masquerade", "k6t-eth0", "tap0", "52:54:00:12:34:56", "10.0.2.2/24", "10.0.2.1", "podvisor-nat"}};
  }
  error shutdown(std::optional<std::int64_t> grace) override {
    l_->shutdowns.push_back(grace);
    return {};
  }
  void watch(event_sink sink) override { l_->sink = std::move(sink); }
  void cancel() override {}

private:
  std::shared_ptr<fake_launcher> l_;
};

json new_vmi(const std::string& name) {
  return {{"apiVersion", "kubevirt.io/v1"},
          {"kind", "VirtualMachineInstance"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"terminationGracePeriodSeconds", 20},
            {"domain", {{"devices", {{"interfaces", {{{"name", "default"}, {"masquerade", json::object()},
                                                      {"ports", {{{"port", 80}}}}}}}}}}},
            {"networks", {{{"name", "default"}, {"pod", json::object()}}}}}}};
}

struct agent_fixture : test::deterministic_system {
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  podvisor::manual_clock clock;
  test::informer_mirror vmis{sys, client, res::virtual_machine_instances()};
  test::informer_mirror pods{sys, client, res::pods(), {{"owner", actors::kube::owner_uid_index()}}};
  /// Launchers by VMI directory (AGENT_DIR/<uid>), made on first use.
  std::map<std::string, std::shared_ptr<fake_launcher>> launchers;
  /// Set up a launcher before the agent reaches its VMI.
  std::function<void(fake_launcher&)> prepare = [](fake_launcher&) {};
  /// What the supervisors publish for introspection.
  std::shared_ptr<introspection_registry> registry =
    std::make_shared<introspection_registry>([this] { return clock.wall_now(); });
  agent_actor agent;

  agent_fixture() {
    keep(vmis.handle.actor);
    keep(pods.handle.actor);
    auto exec = actors::kube::make_inline_executor();
    actors::kube::status_writer_config wcfg;
    wcfg.resource = res::virtual_machine_instances();
    actors::kube::event_recorder_config rcfg;
    rcfg.component = "podvisor-agent";
    rcfg.clock = &clock;
    agent_config cfg;
    cfg.node_name = "node-1";
    cfg.vmi_dir_root = "/nonexistent/podvisor-agent-test";
    cfg.clock = &clock;
    cfg.supervisor.timeouts.launcher = std::chrono::seconds{60};
    cfg.supervisor.registry = registry;
    agent_deps deps;
    deps.vmis = vmis.handle;
    deps.launcher_pods = pods.handle.cache;
    deps.vmi_status = keep(actors::kube::spawn_status_writer(sys, wcfg, client, exec));
    deps.recorder = keep(actors::kube::spawn_event_recorder(sys, rcfg, client, exec));
    deps.make_backend = [this](const std::filesystem::path& dir) {
      auto& l = launchers[dir.string()];
      if (!l) {
        l = std::make_shared<fake_launcher>();
        prepare(*l);
      }
      return std::make_shared<fake_backend>(l);
    };
    deps.make_executor = [] { return actors::kube::make_inline_executor(); };
    agent = keep(spawn_agent(sys, cfg, deps));
    run(); // the informers ask for their lists
    vmis.refresh();
    pods.refresh();
    run();
  }

  /// Creates a VMI in `phase` on `node` (with its launcher pod's annotation).
  json add_vmi(const std::string& name, const std::string& phase, const std::string& node, bool tcg = true) {
    auto created = client->create(res::virtual_machine_instances(), "default", new_vmi(name));
    REQUIRE(created);
    (*created)["status"] = {{"phase", phase}, {"nodeName", node}};
    REQUIRE(client->update_status(res::virtual_machine_instances(), *created));
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 {{"name", "virt-launcher-" + name},
                  {"namespace", "default"},
                  {"labels", {{"kubevirt.io", "virt-launcher"}}},
                  {"ownerReferences", {{{"uid", (*created)["metadata"]["uid"]}, {"kind", "VirtualMachineInstance"},
                                        {"name", name}, {"apiVersion", "kubevirt.io/v1"}, {"controller", true}}}}}},
                {"spec", {{"nodeName", node}}}};
    if (tcg)
      pod["metadata"]["annotations"] = {{"podvisor.io/software-emulation", "true"}};
    REQUIRE(client->create(res::pods(), "default", pod));
    pods.refresh();
    run();
    vmis.refresh();
    run();
    return vmi(name);
  }
  json vmi(const std::string& name) {
    auto got = client->get(res::virtual_machine_instances(), "default", name);
    REQUIRE(got);
    return *got;
  }
  std::string phase(const std::string& name) { return vmi(name)["status"].value("phase", ""); }
  fake_launcher& launcher(const std::string& name) {
    auto dir = "/nonexistent/podvisor-agent-test/" + vmi(name)["metadata"]["uid"].get<std::string>();
    REQUIRE(launchers.count(dir) == 1);
    return *launchers[dir];
  }
  bool has_launcher(const std::string& name) {
    return launchers.count("/nonexistent/podvisor-agent-test/" + vmi(name)["metadata"]["uid"].get<std::string>()) ==
           1;
  }
  /// The informer catches up with the agent's own writes.
  void settle() {
    vmis.refresh();
    run();
  }
  std::vector<std::string> event_reasons(const std::string& name) {
    std::vector<std::string> out;
    for (const auto& e : client->objects(res::events()))
      if (e["involvedObject"]["name"] == name)
        out.push_back(e.value("reason", ""));
    return out;
  }
  void mark_deleted(const std::string& name) {
    auto v = vmi(name);
    v["metadata"]["deletionTimestamp"] = "2024-01-01T00:01:00Z";
    REQUIRE(client->update(res::virtual_machine_instances(), v));
    settle();
  }
};

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

TEST_CASE("agent: a Scheduled VMI becomes Running with the guest's address", "[agent]") {
  agent_fixture f;
  f.prepare = [](fake_launcher& l) { l.socket_present = false; }; // the launcher pod is still starting
  f.add_vmi("web", "Scheduled", "node-1");
  auto& l = f.launcher("web");
  CHECK(l.connects == 1);
  CHECK(f.phase("web") == "Scheduled");

  // The socket appears; the next retry connects.
  l.socket_present = true;
  f.advance(std::chrono::seconds{1});
  CHECK(l.connects == 2);
  REQUIRE(l.wirings.size() == 1);
  REQUIRE(l.wirings[0].size() == 1);
  CHECK(l.wirings[0][0].binding == "masquerade");
  CHECK(l.wirings[0][0].ports == std::vector<std::string>{"tcp:80"});
  CHECK(l.starts == 1);
  CHECK(l.started_with.at("default").ends_with("/net-default.json"));

  auto v = f.vmi("web");
  CHECK(v["status"]["phase"] == "Running");
  CHECK(v["status"]["nodeName"] == "node-1");
  REQUIRE(v["status"]["interfaces"].size() == 1);
  CHECK(v["status"]["interfaces"][0]["ipAddress"] == "10.0.2.2");
  CHECK(v["status"]["interfaces"][0]["mac"] == "52:54:00:12:34:56");
  CHECK(v["status"]["interfaces"][0]["ipAddresses"] == json::array({"10.0.2.2"}));
  bool ready = false, tcg = false;
  for (const auto& c : v["status"]["conditions"]) {
    ready = ready || (c["type"] == "Ready" && c["status"] == "True");
    tcg = tcg || (c["type"] == "SoftwareEmulation" && c["status"] == "True");
  }
  CHECK(ready);
  CHECK(tcg);
  CHECK(v["status"]["phaseTransitionTimestamps"].back()["phase"] == "Running");
  auto reasons = f.event_reasons("web");
  CHECK(contains(reasons, "Started"));
  CHECK(contains(reasons, "Running"));

  // A renewed lease with a new address is written; the same one again is not.
  auto writes = f.client->calls(fake_api_client::verb::update_status);
  backend_event lease;
  lease.what = backend_event::kind::lease;
  lease.lease = {"default", "52:54:00:12:34:56", "10.0.2.2"};
  l.sink(lease);
  f.run();
  CHECK(f.client->calls(fake_api_client::verb::update_status) == writes);
  lease.lease.ip = "10.0.2.7";
  l.sink(lease);
  f.run();
  CHECK(f.vmi("web")["status"]["interfaces"][0]["ipAddress"] == "10.0.2.7");
}

TEST_CASE("agent: a lease whose event never arrives reaches the status with the next refresh", "[agent]") {
  agent_fixture f;
  // The guest has no lease yet when the domain starts.
  f.prepare = [](fake_launcher& l) { l.leases_after_start.clear(); };
  f.add_vmi("web", "Scheduled", "node-1");
  auto& l = f.launcher("web");
  REQUIRE(f.phase("web") == "Running");
  CHECK(f.vmi("web")["status"].value("interfaces", json::array()).empty());

  // The launcher gives the lease, but its watch event is lost: nothing is written...
  l.leases = {{"default", "52:54:00:12:34:56", "10.0.2.2"}};
  f.run();
  CHECK(f.vmi("web")["status"].value("interfaces", json::array()).empty());
  // ...until the next status refresh, which finds it.
  f.advance(std::chrono::seconds{10});
  auto v = f.vmi("web");
  REQUIRE(v["status"]["interfaces"].size() == 1);
  CHECK(v["status"]["interfaces"][0]["ipAddress"] == "10.0.2.2");

  // A known lease that changed is the watch's to report (it orders the changes): a stale
  // status does not write it back.
  auto writes = f.client->calls(fake_api_client::verb::update_status);
  f.advance(std::chrono::seconds{10});
  CHECK(f.client->calls(fake_api_client::verb::update_status) == writes);
  l.leases = {{"default", "52:54:00:12:34:56", "10.0.2.9"}};
  f.advance(std::chrono::seconds{10});
  CHECK(f.vmi("web")["status"]["interfaces"][0]["ipAddress"] == "10.0.2.2");
}

TEST_CASE("agent: deletion sends shutdown with the grace period, then Succeeded", "[agent]") {
  agent_fixture f;
  f.add_vmi("web", "Scheduled", "node-1");
  REQUIRE(f.phase("web") == "Running");
  f.settle();
  f.mark_deleted("web");
  auto& l = f.launcher("web");
  REQUIRE(l.shutdowns.size() == 1);
  CHECK(l.shutdowns[0] == std::optional<std::int64_t>{20});
  CHECK(f.phase("web") == "Running");
  l.emit_phase("shutting_down");
  f.run();
  l.emit_phase("succeeded");
  f.run();
  CHECK(f.phase("web") == "Succeeded");
  CHECK(contains(f.event_reasons("web"), "ShuttingDown"));
  CHECK(contains(f.event_reasons("web"), "Succeeded"));
  // Finished: a later update does not bring a supervisor back.
  f.settle();
  CHECK(l.connects == 1);
}

TEST_CASE("agent: a lost launcher connection fails the VMI with the reason", "[agent]") {
  agent_fixture f;
  f.add_vmi("web", "Scheduled", "node-1");
  REQUIRE(f.phase("web") == "Running");
  f.launcher("web").lose_connection("the launcher closed the connection");
  f.run();
  auto v = f.vmi("web");
  CHECK(v["status"]["phase"] == "Failed");
  CHECK(v["status"]["reason"] == "LauncherLost");
  bool found = false;
  for (const auto& c : v["status"]["conditions"])
    if (c["type"] == "Ready")
      found = c["status"] == "False" &&
              c["message"].get<std::string>().find("the launcher closed the connection") != std::string::npos;
  CHECK(found);
  CHECK(contains(f.event_reasons("web"), "LauncherLost"));
}

TEST_CASE("agent: one VM failing leaves the other running", "[agent]") {
  agent_fixture f;
  f.add_vmi("a", "Scheduled", "node-1");
  f.add_vmi("b", "Scheduled", "node-1");
  REQUIRE(f.phase("a") == "Running");
  REQUIRE(f.phase("b") == "Running");
  f.launcher("a").emit_phase("failed", "QEMU exited with signal 9");
  f.run();
  f.settle();
  CHECK(f.phase("a") == "Failed");
  CHECK(f.vmi("a")["status"]["reason"] == "LauncherFailed");
  CHECK(f.phase("b") == "Running");
  // b's supervisor still follows its launcher.
  f.launcher("b").lose_connection("gone");
  f.run();
  CHECK(f.phase("b") == "Failed");
}

TEST_CASE("agent: VMIs of other nodes and before Scheduled are left alone", "[agent]") {
  agent_fixture f;
  f.add_vmi("elsewhere", "Scheduled", "node-2");
  f.add_vmi("early", "Scheduling", "");
  f.settle();
  CHECK_FALSE(f.has_launcher("elsewhere"));
  CHECK_FALSE(f.has_launcher("early"));
  CHECK(f.phase("elsewhere") == "Scheduled");
  CHECK(f.phase("early") == "Scheduling");
}

TEST_CASE("agent: re-adoption reconnects without starting again and corrects the status", "[agent]") {
  agent_fixture f;
  f.prepare = [](fake_launcher& l) {
    l.awaiting_start = false;
    l.phase = "running";
    l.leases = {{"default", "52:54:00:aa:bb:cc", "10.0.2.2"}};
  };
  // The agent died after Running was written but before the interfaces were.
  f.add_vmi("web", "Running", "node-1");
  auto& l = f.launcher("web");
  CHECK(l.connects == 1);
  CHECK(l.starts == 0);
  CHECK(l.wirings.empty());
  auto v = f.vmi("web");
  CHECK(v["status"]["phase"] == "Running");
  CHECK(v["status"]["interfaces"][0]["ipAddress"] == "10.0.2.2");
  CHECK(v["status"]["phaseTransitionTimestamps"].is_null()); // no second transition to Running
  CHECK(contains(f.event_reasons("web"), "Adopted"));
}

TEST_CASE("agent: a re-adopted VMI whose launcher is gone fails quickly", "[agent]") {
  agent_fixture f;
  f.prepare = [](fake_launcher& l) { l.socket_present = false; };
  f.add_vmi("web", "Running", "node-1");
  for (int i = 0; i < 31 && f.phase("web") == "Running"; ++i)
    f.advance(std::chrono::seconds{1});
  CHECK(f.phase("web") == "Failed");
  CHECK(f.vmi("web")["status"]["reason"] == "LauncherUnavailable");
}

TEST_CASE("agent: a crashing supervisor is restarted, then the VMI fails past the limit", "[agent]") {
  agent_fixture f;
  f.prepare = [](fake_launcher& l) { l.crash_on_connect = true; };
  f.add_vmi("crashy", "Scheduled", "node-1");
  f.prepare = [](fake_launcher&) {};
  f.add_vmi("calm", "Scheduled", "node-1");
  f.run();
  // The first run and three restarts crash; then the agent gives up.
  CHECK(f.launcher("crashy").connects == 4);
  CHECK(f.phase("crashy") == "Failed");
  CHECK(f.vmi("crashy")["status"]["reason"] == "SupervisorFailed");
  auto reasons = f.event_reasons("crashy");
  CHECK(contains(reasons, "SupervisorRestarted"));
  CHECK(contains(reasons, "SupervisorFailed"));
  CHECK(f.phase("calm") == "Running");
  CHECK(f.launcher("calm").starts == 1);
}

TEST_CASE("agent: a VMI the controller fails stops its supervisor", "[agent]") {
  agent_fixture f;
  f.prepare = [](fake_launcher& l) { l.socket_present = false; };
  f.add_vmi("web", "Scheduled", "node-1");
  auto& l = f.launcher("web");
  f.advance(std::chrono::seconds{1});
  REQUIRE(l.connects == 2);
  // The launcher pod failed: the controller writes Failed.
  auto v = f.vmi("web");
  v["status"]["phase"] = "Failed";
  v["status"]["reason"] = "PodFailed";
  REQUIRE(f.client->update_status(res::virtual_machine_instances(), v));
  f.settle();
  f.advance(std::chrono::seconds{5});
  CHECK(l.connects == 2); // no more attempts
  CHECK(f.vmi("web")["status"]["reason"] == "PodFailed");
}

TEST_CASE("agent: supervisors publish their snapshots, transitions and the end of their watch", "[agent][introspection]") {
  agent_fixture f;
  f.prepare = [](fake_launcher& l) { l.socket_present = false; };
  f.add_vmi("web", "Scheduled", "node-1");
  auto first = f.registry->get("default", "web");
  REQUIRE(first);
  CHECK((*first)["state"] == "AwaitingLauncher");
  CHECK((*first)["node"] == "node-1");
  CHECK((*first)["phase"] == "Scheduled");
  CHECK((*first)["launcher"]["pid"] == 0);

  std::vector<json> seen;
  auto sub = f.registry->watch("default", "web", [&](const json& s) { seen.push_back(s); });
  REQUIRE(sub);
  REQUIRE(seen.size() == 1);

  auto& l = f.launcher("web");
  l.socket_present = true;
  f.clock.advance(std::chrono::seconds{1});
  f.advance(std::chrono::seconds{1});
  f.settle();
  auto s = f.registry->get("default", "web");
  REQUIRE(s);
  CHECK((*s)["state"] == "Running");
  CHECK((*s)["phase"] == "Running");
  std::vector<std::string> states;
  for (const auto& e : (*s)["timeline"])
    states.push_back(e["state"]);
  CHECK(states == std::vector<std::string>{"AwaitingLauncher", "WiringNetwork", "Starting", "Booting", "Running"});
  INFO((*s)["timeline"].dump());
  CHECK((*s)["timeline"][0]["durationMs"] == 1000); // the manual clock moved 1 s while waiting
  CHECK((*s)["launcher"]["pid"] == 4242);
  CHECK((*s)["launcher"]["qemuPid"] == 4300);
  CHECK((*s)["launcher"]["domainState"] == "running");
  CHECK((*s)["launcher"]["socket"].get<std::string>().ends_with("/control.sock"));
  REQUIRE((*s)["network"].size() == 1);
  CHECK((*s)["network"][0]["tap"] == "tap0");
  CHECK((*s)["network"][0]["nftTable"] == "podvisor-nat");
  REQUIRE((*s)["lease"].size() == 1);
  CHECK((*s)["lease"][0]["ip"] == "10.0.2.2");
  REQUIRE((*s)["children"].size() == 3);
  CHECK((*s)["children"][0]["name"] == "vm_supervisor");
  CHECK((*s)["children"][0]["restarts"] == 0);
  // Every actor counted the messages it handled on the way to Running: the supervisor its
  // answers and events, the command executor its jobs (connect, wiring, start, status).
  CHECK((*s)["children"][0]["messages"].get<std::uint64_t>() > 0);
  CHECK((*s)["children"][1]["name"] == "commands");
  CHECK((*s)["children"][1]["messages"].get<std::uint64_t>() >= 3);

  // Each transition was pushed to the watch.
  REQUIRE(seen.size() > 1);
  CHECK(seen.back()["state"] == "Running");

  auto metrics = f.registry->metrics_text();
  CHECK(metrics.find("podvisor_vmi_phase{namespace=\"default\",name=\"web\",phase=\"Running\"} 1\n") != std::string::npos);
  CHECK(metrics.find("podvisor_vmi_cpu_seconds_total{namespace=\"default\",name=\"web\"} 1.5\n") != std::string::npos);
  CHECK(metrics.find("podvisor_agent_supervisors{state=\"Running\"} 1\n") != std::string::npos);
  // The launcher's per-device counters reach the metrics under the VMI's device names.
  CHECK(metrics.find("podvisor_vmi_network_receive_bytes_total{namespace=\"default\",name=\"web\",interface=\"default\"} 4200\n") !=
        std::string::npos);
  CHECK(metrics.find("podvisor_vmi_storage_read_bytes_total{namespace=\"default\",name=\"web\",drive=\"rootdisk\"} 8192\n") !=
        std::string::npos);
  CHECK(metrics.find("podvisor_supervisor_info{") != std::string::npos);

  // The launcher finishes: the supervisor stops, its last snapshot and then null reach
  // the watch, and the snapshot is gone.
  l.emit_phase("succeeded");
  f.run();
  REQUIRE(seen.size() >= 2);
  CHECK(seen.back().is_null());
  CHECK(seen[seen.size() - 2]["state"] == "Finished");
  CHECK_FALSE(f.registry->get("default", "web"));
  CHECK(f.registry->list().empty());
}
