// vm_supervision as tables: each row is the inputs fed from a fresh supervision and the
// actions of the last input, the stage after it and what the report says.

#include "actors/agent/vm_supervision.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::actors::agent;

namespace {

std::vector<std::string> describe_all(const std::vector<supervision_action>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions)
    out.push_back(describe(a));
  return out;
}

supervision_timeouts short_timeouts() {
  supervision_timeouts t;
  t.launcher = std::chrono::seconds{60};
  t.readopt = std::chrono::seconds{10};
  t.start = std::chrono::seconds{120};
  t.boot = std::chrono::seconds{90};
  t.shutdown_slack = std::chrono::seconds{5};
  return t;
}

/// Feeds `inputs` after begin(); returns the actions of the last one.
std::vector<std::string> feed(vm_supervision& s, const std::vector<supervision_input>& inputs) {
  std::vector<supervision_action> last = s.begin();
  for (const auto& in : inputs)
    last = s.handle(in);
  return describe_all(last);
}

const error unavailable{errc::unavailable, "no socket"};

/// The inputs that bring a fresh VM to running.
std::vector<supervision_input> to_running() {
  return {launcher_connected{42, true}, network_wired{{{"default", "/d/net-default.json"}}}, start_answered{},
          launcher_phase_seen{"running", ""}};
}

} // namespace

TEST_CASE("vm_supervision: begin connects and arms the launcher wait", "[vm_supervision]") {
  vm_supervision s{short_timeouts()};
  CHECK(describe_all(s.begin()) == std::vector<std::string>{"connect", "wait#1 60s"});
  CHECK(s.stage() == vm_stage::awaiting_launcher);

  vm_supervision readopt{short_timeouts(), "Running"};
  CHECK(describe_all(readopt.begin()) == std::vector<std::string>{"connect", "wait#1 10s"});
}

TEST_CASE("vm_supervision: the path of a fresh VM, step by step", "[vm_supervision]") {
  struct row {
    std::vector<supervision_input> inputs;
    std::vector<std::string> actions;
    vm_stage stage;
    std::string phase;
  };
  const std::vector<row> rows = {
    {{launcher_unreachable{unavailable}}, {"connect later"}, vm_stage::awaiting_launcher, ""},
    {{launcher_connected{42, true}}, {"watch", "wire network", "wait#2 120s"}, vm_stage::wiring_network, ""},
    {{launcher_connected{42, true}, network_wired{{{"default", "/d/net-default.json"}}}},
     {"start"},
     vm_stage::starting,
     ""},
    {{launcher_connected{42, true}, network_wired{}, start_answered{}},
     {"event Normal Started: the launcher started the domain", "status", "wait#3 90s"},
     vm_stage::booting,
     ""},
    {to_running(), {"write status", "event Normal Running: the VM is running"}, vm_stage::running, "Running"},
    // The running event may arrive before the answer to start.
    {{launcher_connected{42, true}, network_wired{}, launcher_phase_seen{"running", ""}},
     {"write status", "event Normal Running: the VM is running"},
     vm_stage::running,
     "Running"},
    // Re-adopting a paused VM: still Running.
    {{launcher_connected{42, false}, launcher_phase_seen{"paused", ""}},
     {"write status", "event Normal Running: the VM is running"},
     vm_stage::running,
     "Running"},
    // Phases before running change nothing.
    {{launcher_connected{42, true}, network_wired{}, start_answered{}, launcher_phase_seen{"starting", ""}},
     {},
     vm_stage::booting,
     ""},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    vm_supervision s{short_timeouts()};
    CHECK(feed(s, rows[i].inputs) == rows[i].actions);
    CHECK(s.stage() == rows[i].stage);
    CHECK(s.report().phase == rows[i].phase);
  }
}

TEST_CASE("vm_supervision: failures end Failed with a reason", "[vm_supervision]") {
  struct row {
    std::vector<supervision_input> inputs;
    std::string reason;
    std::string message_part;
  };
  const error boom{errc::io_error, "boom"};
  const std::vector<row> rows = {
    {{wait_expired{1}}, "LauncherUnavailable", "did not answer within 60 s"},
    {{launcher_unreachable{unavailable}, wait_expired{1}}, "LauncherUnavailable", "no socket"},
    {{launcher_connected{42, true}, network_failed{boom}}, "NetworkSetupFailed", "boom"},
    {{launcher_connected{42, true}, network_wired{}, start_answered{boom}}, "StartFailed", "could not start"},
    {{launcher_connected{42, true}, wait_expired{2}}, "StartTimeout", "wiring_network"},
    {{launcher_connected{42, true}, network_wired{}, start_answered{}, wait_expired{3}}, "BootTimeout", "90 s"},
    {{launcher_connected{42, true}, watch_lost{boom}}, "LauncherLost", "boom"},
    {{launcher_connected{42, true}, network_wired{}, start_answered{}, launcher_phase_seen{"failed", "QEMU died"}},
     "LauncherFailed",
     "QEMU died"},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    vm_supervision s{short_timeouts()};
    auto actions = feed(s, rows[i].inputs);
    REQUIRE(actions.size() == 3);
    CHECK(actions[0] == "write status");
    CHECK(actions[1].starts_with("event Warning " + rows[i].reason + ": "));
    CHECK(actions[1].find(rows[i].message_part) != std::string::npos);
    CHECK(actions[2] == "finish");
    CHECK(s.stage() == vm_stage::finished);
    CHECK(s.report().phase == "Failed");
    CHECK(s.report().reason == rows[i].reason);
    // Finished is final: nothing moves it any more.
    CHECK(s.handle(launcher_phase_seen{"running", ""}).empty());
    CHECK(s.report().phase == "Failed");
  }
}

TEST_CASE("vm_supervision: a running VM loses its launcher", "[vm_supervision]") {
  vm_supervision s{short_timeouts()};
  auto inputs = to_running();
  inputs.push_back(watch_lost{error{errc::unavailable, "connection closed"}});
  auto actions = feed(s, inputs);
  CHECK(actions.front() == "write status");
  CHECK(s.report().phase == "Failed");
  CHECK(s.report().reason == "LauncherLost");
  CHECK(s.report().message.find("connection closed") != std::string::npos);
}

TEST_CASE("vm_supervision: stale waits are ignored", "[vm_supervision]") {
  vm_supervision s{short_timeouts()};
  feed(s, to_running());
  CHECK(s.handle(wait_expired{1}).empty()); // the launcher wait of long ago
  CHECK(s.handle(wait_expired{3}).empty()); // the boot wait
  CHECK(s.stage() == vm_stage::running);
}

TEST_CASE("vm_supervision: leases fill the report; renewals write nothing", "[vm_supervision]") {
  vm_supervision s{short_timeouts()};
  feed(s, {launcher_connected{42, true}, network_wired{}, start_answered{}});
  // Before running, the lease is kept for the Running write.
  CHECK(s.handle(lease_seen{"default", "52:54:00:00:00:01", "10.0.2.2"}).empty());
  CHECK(describe_all(s.handle(launcher_phase_seen{"running", ""})).front() == "write status");
  REQUIRE(s.report().leases.count("default") == 1);
  CHECK(s.report().leases.at("default").ip == "10.0.2.2");
  CHECK(s.handle(lease_seen{"default", "52:54:00:00:00:01", "10.0.2.2"}).empty());
  CHECK(describe_all(s.handle(lease_seen{"default", "52:54:00:00:00:01", "10.0.2.9"})) ==
        std::vector<std::string>{"write status"});
}

TEST_CASE("vm_supervision: deletion shuts down with the grace period", "[vm_supervision]") {
  struct row {
    std::vector<supervision_input> inputs;
    std::vector<std::string> actions;
    vm_stage stage;
    std::string phase;
  };
  auto running = to_running();
  auto with = [&](std::vector<supervision_input> more) {
    auto v = running;
    v.insert(v.end(), more.begin(), more.end());
    return v;
  };
  const std::vector<row> rows = {
    {with({deletion_requested{20}}),
     {"shutdown 20", "event Normal ShuttingDown: shutting the VM down, grace period 20 s", "wait#5 25s"},
     vm_stage::shutting_down,
     "Running"},
    {with({deletion_requested{}}),
     {"shutdown default", "event Normal ShuttingDown: shutting the VM down", "wait#5 35s"},
     vm_stage::shutting_down,
     "Running"},
    // A second deletion notice changes nothing.
    {with({deletion_requested{20}, deletion_requested{20}}), {}, vm_stage::shutting_down, "Running"},
    {with({deletion_requested{20}, launcher_phase_seen{"shutting_down", ""}}), {}, vm_stage::shutting_down, "Running"},
    {with({deletion_requested{20}, launcher_phase_seen{"succeeded", ""}}),
     {"write status", "event Normal Succeeded: the VM shut down", "finish"},
     vm_stage::finished,
     "Succeeded"},
    {with({deletion_requested{20}, shutdown_answered{error{errc::conflict, "finishing"}}}),
     {"event Warning ShutdownFailed: the launcher refused shutdown: conflict: finishing"},
     vm_stage::shutting_down,
     "Running"},
    // Deleted before the launcher answered: nothing to shut down, the controller cleans up.
    {{deletion_requested{20}}, {"finish"}, vm_stage::finished, ""},
    // Deleted while wiring: the launcher is connected, so it is told.
    {{launcher_connected{42, true}, deletion_requested{5}},
     {"shutdown 5", "event Normal ShuttingDown: shutting the VM down, grace period 5 s", "wait#3 10s"},
     vm_stage::shutting_down,
     ""},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    vm_supervision s{short_timeouts()};
    CHECK(feed(s, rows[i].inputs) == rows[i].actions);
    CHECK(s.stage() == rows[i].stage);
    CHECK(s.report().phase == rows[i].phase);
  }

  SECTION("no final phase within grace + slack: Failed") {
    vm_supervision s{short_timeouts()};
    feed(s, with({deletion_requested{20}}));
    s.handle(wait_expired{5});
    CHECK(s.report().phase == "Failed");
    CHECK(s.report().reason == "ShutdownTimeout");
  }
}

TEST_CASE("vm_supervision: re-adoption never starts again", "[vm_supervision]") {
  vm_supervision s{short_timeouts(), "Running"};
  auto actions = feed(s, {launcher_connected{42, false}});
  CHECK(actions == std::vector<std::string>{"watch", "status",
                                            "event Normal Adopted: re-adopted the running launcher (pid 42)",
                                            "wait#2 90s"});
  CHECK(s.adopted());
  // The status answer: its leases, then its phase; the report is written again.
  CHECK(s.handle(lease_seen{"default", "52:54:00:00:00:01", "10.0.2.2"}).empty());
  CHECK(describe_all(s.handle(launcher_phase_seen{"running", ""})).front() == "write status");
  CHECK(s.report().phase == "Running");

  SECTION("a re-adopted VMI being deleted is shut down once connected") {
    vm_supervision d{short_timeouts(), "Running"};
    d.begin();
    CHECK(d.handle(deletion_requested{7}).empty());
    CHECK(d.stage() == vm_stage::awaiting_launcher);
    auto after = describe_all(d.handle(launcher_connected{42, false}));
    CHECK(std::find(after.begin(), after.end(), "shutdown 7") != after.end());
    CHECK(d.stage() == vm_stage::shutting_down);
  }
}
