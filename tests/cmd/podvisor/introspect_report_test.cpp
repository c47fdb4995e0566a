#include "cmd/podvisor/introspect_report.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::cli;
using nlohmann::json;

namespace {

bool has(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

json full_snapshot() {
  return json::parse(R"({
    "namespace": "default", "name": "vm1", "uid": "u-1", "node": "node-1",
    "state": "Running", "since": "2026-11-28T15:04:06.000Z", "phase": "Running", "reason": "",
    "timeline": [
      {"state": "Adopting", "at": "2026-11-28T15:04:04.000Z", "durationMs": 12, "reason": ""},
      {"state": "WiringNetwork", "at": "2026-11-28T15:04:04.012Z", "durationMs": 1250, "reason": ""},
      {"state": "Running", "at": "2026-11-28T15:04:05.262Z", "durationMs": 125000, "reason": ""}
    ],
    "children": [{"name": "launcher-watch", "restarts": 1, "mailbox": 0}],
    "launcher": {"pid": 4242, "qemuPid": 4300, "domainState": "running", "socket": "/run/x/control.sock"},
    "network": [{"interface": "default", "binding": "masquerade", "bridge": "k6t-eth0", "tap": "tap0",
                 "mac": "52:54:00:12:34:56", "guestAddress": "10.0.2.2", "gateway": "10.0.2.1",
                 "nftTable": "podvisor-nat"}],
    "lease": [{"interface": "default", "mac": "52:54:00:12:34:56", "ip": "10.0.2.2", "at": "2026-11-28T15:04:06.001Z"}],
    "errors": [{"at": "2026-11-28T15:04:05.000Z", "message": "launcher channel: reconnecting"}]
  })");
}

} // namespace

TEST_CASE("introspect report: state, timeline with durations, wiring, lease, pids, errors",
          "[cmd][podvisor][introspect][report]") {
  auto text = render_report(full_snapshot());
  CHECK(has(text, "VMI:     default/vm1 (uid u-1)\n"));
  CHECK(has(text, "Node:    node-1\n"));
  CHECK(has(text, "State:   Running since 2026-11-28T15:04:06.000Z\n"));
  CHECK(has(text, "Timeline:\n  STATE          AT                        DURATION  REASON\n"));
  CHECK(has(text, "  Adopting       2026-11-28T15:04:04.000Z  12ms\n"));
  CHECK(has(text, "  WiringNetwork  2026-11-28T15:04:04.012Z  1.25s\n"));
  CHECK(has(text, "  Running        2026-11-28T15:04:05.262Z  2m05s\n"));
  CHECK(has(text, "pid 4242, QEMU pid 4300, domain running\n"));
  CHECK(has(text, "control socket /run/x/control.sock\n"));
  CHECK(has(text, "  default    masquerade  k6t-eth0  tap0  52:54:00:12:34:56  10.0.2.2       10.0.2.1  podvisor-nat\n"));
  CHECK(has(text, "Lease:\n"));
  CHECK(has(text, "10.0.2.2  2026-11-28T15:04:06.001Z\n"));
  CHECK(has(text, "  launcher-watch  1         0\n"));
  CHECK(has(text, "launcher channel: reconnecting"));
  CHECK_FALSE(has(text, "Reason:"));
}

TEST_CASE("introspect report: a sparse or malformed snapshot still renders", "[cmd][podvisor][introspect][report]") {
  auto text = render_report(json{{"namespace", "default"}, {"name", "vm1"}, {"state", true}, {"timeline", "x"},
                                 {"launcher", {{"pid", 0}}}, {"reason", "no KVM"}});
  CHECK(has(text, "VMI:     default/vm1\n"));
  CHECK(has(text, "State:   -\n"));
  CHECK(has(text, "Reason:  no KVM\n"));
  CHECK(has(text, "pid -, QEMU pid -, domain -\n"));
  CHECK(has(text, "Lease: none served yet\n"));
  CHECK_FALSE(has(text, "Timeline:"));
  CHECK(has(render_report(json::array()), "VMI:     -/-"));
  CHECK(has(render_report(nullptr), "State:   -"));
}

TEST_CASE("introspect report: watch updates show new transitions, errors and leases",
          "[cmd][podvisor][introspect][report]") {
  auto before = full_snapshot();
  before["timeline"].erase(2);
  before["lease"] = json::array();
  before["errors"] = json::array();
  auto after = full_snapshot();
  auto update = render_update(before, after);
  CHECK(update == "2026-11-28T15:04:05.262Z  -> Running  (WiringNetwork took 1.25s)\n"
                  "2026-11-28T15:04:05.000Z  error: launcher channel: reconnecting\n"
                  "2026-11-28T15:04:06.001Z  lease default: 10.0.2.2 to 52:54:00:12:34:56\n");
  CHECK(render_update(after, after).empty());
  CHECK(render_update(nullptr, after) == render_report(after));
  auto restarted = full_snapshot();
  restarted["timeline"].erase(1);
  restarted["timeline"].erase(1);
  CHECK(render_update(after, restarted) == render_report(restarted));
}

TEST_CASE("introspect report: durations", "[cmd][podvisor][introspect][report]") {
  CHECK(format_duration_ms(0) == "0ms");
  CHECK(format_duration_ms(999) == "999ms");
  CHECK(format_duration_ms(1000) == "1.00s");
  CHECK(format_duration_ms(59999) == "59.99s");
  CHECK(format_duration_ms(60000) == "1m00s");
  CHECK(format_duration_ms(3600000 + 120000) == "1h02m");
  CHECK(format_duration_ms(-5) == "-");
}
