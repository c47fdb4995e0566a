// The agent <-> launcher command channel: every op parses, anything else is refused with
// invalid_argument (never an exception), rendering round-trips, versions are negotiated;
// the answers and events the agent's client reads parse back strictly.
#include "protocols/launcher_channel.hpp"

#include <catch2/catch_test_macros.hpp>
#include <map>

using namespace podvisor;
using namespace podvisor::protocols;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::string refused(std::string_view line) {
  auto r = parse_launcher_request(line);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::invalid_argument);
  return r.error().message;
}

bool same(const launcher_request& a, const launcher_request& b) {
  return a.op == b.op && a.versions == b.versions && a.grace_seconds == b.grace_seconds && a.networks == b.networks;
}

} // namespace

TEST_CASE("every op parses", "[protocols][launcher]") {
  auto hello = parse_launcher_request(R"({"op":"hello","versions":[1,2]})");
  REQUIRE(hello);
  CHECK(hello->op == launcher_op::hello);
  CHECK(hello->versions == std::vector<std::uint32_t>{1, 2});
  CHECK(parse_launcher_request(R"({"op":"status"})")->op == launcher_op::status);
  CHECK(parse_launcher_request(R"({"op":"pause"})")->op == launcher_op::pause);
  CHECK(parse_launcher_request(R"({"op":"resume"})")->op == launcher_op::resume);
  CHECK(parse_launcher_request(R"({"op":"watch"})")->op == launcher_op::watch);
  auto sd = parse_launcher_request(R"({"op":"shutdown"})");
  REQUIRE(sd);
  CHECK(sd->op == launcher_op::shutdown);
  CHECK_FALSE(sd->grace_seconds);
  auto sdg = parse_launcher_request(R"( { "graceSeconds" : 30 , "op" : "shutdown" } )");
  REQUIRE(sdg);
  CHECK(sdg->grace_seconds == 30);
  CHECK(parse_launcher_request(R"({"op":"shutdown","graceSeconds":0})")->grace_seconds == 0);
  CHECK(parse_launcher_request(R"({"op":"shutdown","graceSeconds":86400})")->grace_seconds == 86400);
}

TEST_CASE("op names round-trip through their string table", "[protocols][launcher]") {
  for (auto op : {launcher_op::hello, launcher_op::status, launcher_op::shutdown, launcher_op::pause,
                  launcher_op::resume, launcher_op::watch, launcher_op::start}) {
    launcher_request r;
    r.op = op;
    if (op == launcher_op::hello)
      r.versions = {1};
    auto back = parse_launcher_request(render_launcher_request(r));
    REQUIRE(back);
    CHECK(back->op == op);
    CHECK(contains(render_launcher_request(r), std::string(to_string(op))));
  }
}

TEST_CASE("not JSON, not an object, no op, unknown op", "[protocols][launcher]") {
  CHECK(contains(refused(""), "not valid JSON"));
  CHECK(contains(refused("{\"op\":"), "not valid JSON"));
  CHECK(contains(refused("garbage"), "not valid JSON"));
  CHECK(contains(refused("{\"op\":\"status\"} {}"), "not valid JSON"));
  CHECK(contains(refused("[\"status\"]"), "must be a JSON object"));
  CHECK(contains(refused("\"status\""), "must be a JSON object"));
  CHECK(contains(refused("null"), "must be a JSON object"));
  CHECK(contains(refused("{}"), "needs \"op\""));
  CHECK(contains(refused(R"({"op":1})"), "needs \"op\""));
  CHECK(contains(refused(R"({"op":null})"), "needs \"op\""));
  CHECK(contains(refused(R"({"op":"reboot"})"), "unknown op \"reboot\""));
  CHECK(contains(refused(R"({"op":"STATUS"})"), "unknown op"));
}

TEST_CASE("extra fields are refused, also fields of another op", "[protocols][launcher]") {
  CHECK(contains(refused(R"({"op":"status","x":1})"), "unexpected field \"x\" in a status request"));
  CHECK(contains(refused(R"({"op":"status","versions":[1]})"), "unexpected field \"versions\""));
  CHECK(contains(refused(R"({"op":"pause","graceSeconds":1})"), "unexpected field \"graceSeconds\""));
  CHECK(contains(refused(R"({"op":"hello","versions":[1],"graceSeconds":1})"), "unexpected field"));
  CHECK(contains(refused(R"({"op":"shutdown","graceSeconds":1,"force":true})"), "unexpected field \"force\""));
}

TEST_CASE("graceSeconds: an integer from 0 to a day", "[protocols][launcher]") {
  for (const char* bad : {"-1", "86401", "9223372036854775807", "18446744073709551615", "-9223372036854775808"}) {
    INFO(bad);
    CHECK(contains(refused(std::string(R"({"op":"shutdown","graceSeconds":)") + bad + "}"), "between 0 and 86400"));
  }
  for (const char* bad : {"1.5", "1e3", "\"30\"", "null", "true", "[30]", "{}", "99999999999999999999"}) {
    INFO(bad);
    CHECK(contains(refused(std::string(R"({"op":"shutdown","graceSeconds":)") + bad + "}"), "must be an integer"));
  }
}

TEST_CASE("hello's versions: a non-empty array of unsigned 32-bit integers", "[protocols][launcher]") {
  CHECK(contains(refused(R"({"op":"hello"})"), "hello needs \"versions\""));
  CHECK(contains(refused(R"({"op":"hello","versions":[]})"), "non-empty array"));
  CHECK(contains(refused(R"({"op":"hello","versions":1})"), "non-empty array"));
  CHECK(contains(refused(R"({"op":"hello","versions":{}})"), "non-empty array"));
  for (const char* bad : {"-1", "1.0", "\"1\"", "null", "4294967296", "18446744073709551615", "[1]"}) {
    INFO(bad);
    CHECK(contains(refused(std::string(R"({"op":"hello","versions":[1,)") + bad + "]}"), "unsigned 32-bit"));
  }
  CHECK(parse_launcher_request(R"({"op":"hello","versions":[4294967295]})")->versions ==
        std::vector<std::uint32_t>{4294967295u});
}

TEST_CASE("a line longer than the limit is refused before parsing", "[protocols][launcher]") {
  // Valid JSON padded with spaces up to exactly the limit is fine; one byte more is not.
  std::string line = R"({"op":"status"})";
  line.append(launcher_channel_max_line_bytes - line.size(), ' ');
  CHECK(parse_launcher_request(line));
  line.push_back(' ');
  CHECK(contains(refused(line), "exceeds the limit"));
  CHECK(contains(refused(std::string(10 * launcher_channel_max_line_bytes, '[')), "exceeds the limit"));
}

TEST_CASE("deep nesting within the limit is an error, not a crash", "[protocols][launcher]") {
  std::string deep(20000, '[');
  deep += std::string(20000, ']');
  CHECK(contains(refused(deep), "must be a JSON object"));
  std::string nested = R"({"op":"status","x":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  CHECK(contains(refused(nested), "unexpected field"));
}

TEST_CASE("render then parse gives the same request", "[protocols][launcher]") {
  std::vector<launcher_request> reqs;
  reqs.push_back({launcher_op::hello, {1}, std::nullopt, {}});
  reqs.push_back({launcher_op::hello, {7, 1, 4294967295u}, std::nullopt, {}});
  reqs.push_back({launcher_op::status, {}, std::nullopt, {}});
  reqs.push_back({launcher_op::shutdown, {}, std::nullopt, {}});
  reqs.push_back({launcher_op::shutdown, {}, 0, {}});
  reqs.push_back({launcher_op::shutdown, {}, 86400, {}});
  reqs.push_back({launcher_op::pause, {}, std::nullopt, {}});
  reqs.push_back({launcher_op::resume, {}, std::nullopt, {}});
  reqs.push_back({launcher_op::watch, {}, std::nullopt, {}});
  reqs.push_back({launcher_op::start, {}, std::nullopt, {}});
  reqs.push_back({launcher_op::start, {}, std::nullopt, {{"default", "/var/run/podvisor/vmis/u/net-default.json"},
                                                         {"second", "/x y/\u00e9.json"}}});
  for (const auto& r : reqs) {
    auto line = render_launcher_request(r);
    INFO(line);
    CHECK(line.find('\n') == std::string::npos);
    auto back = parse_launcher_request(line);
    REQUIRE(back);
    CHECK(same(*back, r));
  }
  CHECK(render_launcher_request({launcher_op::shutdown, {}, 5, {}}) == R"({"graceSeconds":5,"op":"shutdown"})");
}

TEST_CASE("version pick: the highest common one, or none", "[protocols][launcher]") {
  CHECK(pick_launcher_channel_version({1}) == 1u);
  CHECK(pick_launcher_channel_version({1, 7}) == 1u);
  CHECK(pick_launcher_channel_version({7, 1}) == 1u);
  CHECK_FALSE(pick_launcher_channel_version({7}));
  CHECK_FALSE(pick_launcher_channel_version({0}));
  CHECK_FALSE(pick_launcher_channel_version({}));
}

TEST_CASE("error lines carry the code's name and the message", "[protocols][launcher]") {
  auto line = render_launcher_error(error{errc::conflict, "not paused"});
  CHECK(line == R"({"error":{"code":"conflict","message":"not paused"},"ok":false})");
}

TEST_CASE("an error message that is not UTF-8 still renders (replaced), never throws", "[protocols][launcher]") {
  // Messages come from libvirt and QEMU's log; a stray byte must not kill the session.
  std::string line;
  REQUIRE_NOTHROW(line = render_launcher_error(error{errc::internal, "qemu: \xff\xfe bad"}));
  CHECK(contains(line, "qemu: "));
  CHECK(contains(line, "\"code\":\"internal\""));
}

TEST_CASE("start carries absolute network result paths", "[protocols][launcher]") {
  auto plain = parse_launcher_request(R"({"op":"start"})");
  REQUIRE(plain);
  CHECK(plain->op == launcher_op::start);
  CHECK(plain->networks.empty());
  auto empty = parse_launcher_request(R"({"op":"start","networks":{}})");
  REQUIRE(empty);
  CHECK(empty->networks.empty());
  auto two = parse_launcher_request(R"({"op":"start","networks":{"default":"/a/net-default.json","b":"/b"}})");
  REQUIRE(two);
  CHECK(two->networks == std::map<std::string, std::string>{{"default", "/a/net-default.json"}, {"b", "/b"}});
  CHECK(render_launcher_request(*two) == R"({"networks":{"b":"/b","default":"/a/net-default.json"},"op":"start"})");
}

TEST_CASE("a start with bad networks is refused", "[protocols][launcher]") {
  CHECK(contains(refused(R"({"op":"start","networks":[]})"), "must be an object"));
  CHECK(contains(refused(R"({"op":"start","networks":null})"), "must be an object"));
  CHECK(contains(refused(R"({"op":"start","networks":{"default":1}})"), "must be a string"));
  CHECK(contains(refused(R"({"op":"start","networks":{"default":"net.json"}})"), "not an absolute path"));
  CHECK(contains(refused(R"({"op":"start","networks":{"default":""}})"), "not an absolute path"));
  CHECK(contains(refused(R"({"op":"start","networks":{"":"/a"}})"), "1 to 63 bytes"));
  CHECK(contains(refused(R"({"op":"start","networks":{"default":"/a\u0000b"}})"), "NUL"));
  CHECK(contains(refused(R"({"op":"start","networks":{"a\u0000":"/a"}})"), "NUL"));
  CHECK(contains(refused(R"({"op":"start","networks":{"d":"/)" + std::string(5000, 'a') + "\"}}"), "longer than"));
  std::string many = R"({"op":"start","networks":{)";
  for (int i = 0; i < 65; ++i)
    many += (i ? "," : "") + std::string("\"n") + std::to_string(i) + "\":\"/x\"";
  CHECK(contains(refused(many + "}}"), "at most 64"));
  CHECK(contains(refused(R"({"op":"start","graceSeconds":3})"), "unexpected field \"graceSeconds\" in a start"));
  CHECK(contains(refused(R"({"op":"status","networks":{}})"), "unexpected field \"networks\" in a status"));
}

TEST_CASE("the hello answer carries pid and awaitingStart and parses back", "[protocols][launcher]") {
  launcher_hello_answer a{1, "podvisor-launcher 0.1.0", "ns_vm", 4711, true};
  auto line = render_launcher_hello(a);
  CHECK(contains(line, R"("pid":4711)"));
  CHECK(contains(line, R"("awaitingStart":true)"));
  auto back = parse_launcher_hello(line);
  REQUIRE(back);
  CHECK(back->version == 1u);
  CHECK(back->server == "podvisor-launcher 0.1.0");
  CHECK(back->domain == "ns_vm");
  CHECK(back->pid == 4711);
  CHECK(back->awaiting_start);
  // Unknown fields are left for later additions to version 1.
  CHECK(parse_launcher_hello(R"({"ok":true,"version":1,"server":"s","domain":"d","pid":2,"awaitingStart":false,"x":1})"));
}

TEST_CASE("malformed answers are parse errors; error lines give their error", "[protocols][launcher]") {
  auto code = [](std::string_view line) { return parse_launcher_hello(line).error().code; };
  CHECK(code("") == errc::parse_error);
  CHECK(code("[]") == errc::parse_error);
  CHECK(code(R"({"version":1})") == errc::parse_error);
  CHECK(code(R"({"ok":"yes"})") == errc::parse_error);
  CHECK(code(R"({"ok":true,"version":1,"server":"s","domain":"d","awaitingStart":false})") == errc::parse_error);
  CHECK(code(R"({"ok":true,"version":1,"server":"s","domain":"d","pid":0,"awaitingStart":false})") ==
        errc::parse_error);
  CHECK(code(R"({"ok":true,"version":-1,"server":"s","domain":"d","pid":3,"awaitingStart":false})") ==
        errc::parse_error);
  CHECK(code(R"({"ok":true,"version":1,"server":"s","domain":"d","pid":3,"awaitingStart":1})") == errc::parse_error);
  CHECK(code(R"({"ok":false})") == errc::parse_error);
  CHECK(code(R"({"ok":false,"error":{"code":"conflict"}})") == errc::parse_error);
  auto e = parse_launcher_hello(render_launcher_error(error{errc::unsupported, "no common protocol version"}));
  REQUIRE_FALSE(e);
  CHECK(e.error().code == errc::unsupported);
  CHECK(e.error().message == "no common protocol version");
  CHECK(code(R"({"ok":false,"error":{"code":"frobnicated","message":"m"}})") == errc::internal);
  CHECK(code(R"({"ok":false,"error":{"code":"none","message":"m"}})") == errc::internal);
  CHECK(parse_launcher_ack(render_launcher_ok()).ok());
  CHECK(parse_launcher_ack(render_launcher_error(error{errc::conflict, "not awaiting"})).code == errc::conflict);
  CHECK(parse_launcher_ack("{\"ok\":true").code == errc::parse_error);
}

TEST_CASE("the status answer carries leases and parses back", "[protocols][launcher]") {
  launcher_status_answer a;
  a.phase = "running";
  a.reason = "started: booted";
  a.domain_state = "running: booted";
  a.since_start_ms = 1234;
  CHECK(contains(render_launcher_status(a), R"("leases":[])"));
  auto none = parse_launcher_status(render_launcher_status(a));
  REQUIRE(none);
  CHECK(none->leases.empty());
  CHECK_FALSE(none->stats);
  a.stats = launcher_stats_info{5, 65536, 2, 99, {}, {}};
  a.leases.push_back({"default", "52:54:00:12:34:56", "10.0.2.2"});
  auto back = parse_launcher_status(render_launcher_status(a));
  REQUIRE(back);
  CHECK(back->phase == "running");
  CHECK(back->reason == "started: booted");
  CHECK(back->domain_state == "running: booted");
  CHECK(back->since_start_ms == 1234);
  REQUIRE(back->stats);
  CHECK(back->stats->memory_kib == 65536u);
  CHECK(back->stats->vcpus == 2u);
  CHECK(back->stats->qemu_pid == 99);
  REQUIRE(back->leases.size() == 1);
  CHECK(back->leases[0].interface == "default");
  CHECK(back->leases[0].mac == "52:54:00:12:34:56");
  CHECK(back->leases[0].ip == "10.0.2.2");
  auto bad = [](std::string_view line) { return parse_launcher_status(line).error().code; };
  CHECK(bad(R"({"ok":true,"phase":"running","reason":"","domainState":"","sinceStartMs":1})") == errc::parse_error);
  CHECK(bad(R"({"ok":true,"phase":"running","reason":"","domainState":"","sinceStartMs":1,"leases":[{}]})") ==
        errc::parse_error);
  CHECK(bad(R"({"ok":true,"phase":"running","reason":"","domainState":"","sinceStartMs":1,"leases":[],)"
            R"("stats":{"cpuTimeNs":-1,"memoryKiB":1,"vcpus":1,"qemuPid":1}})") == errc::parse_error);
  CHECK(bad(R"({"ok":true,"phase":3,"reason":"","domainState":"","sinceStartMs":1,"leases":[]})") ==
        errc::parse_error);
}

TEST_CASE("the status answer's device counters round-trip", "[protocols][launcher]") {
  launcher_status_answer a;
  a.phase = "running";
  a.stats = launcher_stats_info{5, 65536, 2, 99, {}, {}};
  a.stats->interfaces.push_back({"default", 1, 2, 3, 4, 5, 6, 7, 8});
  a.stats->interfaces.push_back({"tap9", 0, 0, 0, 0, 18446744073709551615u, 0, 0, 0});
  a.stats->blocks.push_back({"rootdisk", 4096, 8, 512, 1});
  auto back = parse_launcher_status(render_launcher_status(a));
  REQUIRE(back);
  REQUIRE(back->stats);
  CHECK(back->stats->interfaces == a.stats->interfaces);
  CHECK(back->stats->blocks == a.stats->blocks);

  a.stats->interfaces.clear();
  a.stats->blocks.clear();
  auto empty = parse_launcher_status(render_launcher_status(a));
  REQUIRE(empty);
  CHECK(empty->stats->interfaces.empty());
  CHECK(empty->stats->blocks.empty());
}

TEST_CASE("a status answer without device counters (an older launcher) parses", "[protocols][launcher]") {
  auto old = parse_launcher_status(R"({"ok":true,"phase":"running","reason":"","domainState":"running: booted",)"
                                   R"("sinceStartMs":1,"leases":[],)"
                                   R"("stats":{"cpuTimeNs":1,"memoryKiB":2,"vcpus":1,"qemuPid":7}})");
  REQUIRE(old);
  REQUIRE(old->stats);
  CHECK(old->stats->qemu_pid == 7);
  CHECK(old->stats->interfaces.empty());
  CHECK(old->stats->blocks.empty());
}

TEST_CASE("device counters of the wrong type are rejected", "[protocols][launcher]") {
  auto with_stats = [](std::string_view devices) {
    std::string line = R"({"ok":true,"phase":"running","reason":"","domainState":"","sinceStartMs":1,"leases":[],)"
                       R"("stats":{"cpuTimeNs":1,"memoryKiB":2,"vcpus":1,"qemuPid":7)";
    line += devices;
    line += "}}";
    return parse_launcher_status(line);
  };
  const std::string iface = R"("name":"default","rxBytes":1,"rxPackets":1,"rxErrors":0,"rxDrops":0,)"
                            R"("txBytes":1,"txPackets":1,"txErrors":0,"txDrops":0)";
  REQUIRE(with_stats(R"(,"interfaces":[{)" + iface + "}]"));
  REQUIRE(with_stats(R"(,"blocks":[{"name":"vda","readBytes":1,"readRequests":1,"writeBytes":0,"writeRequests":0}])"));
  for (std::string bad : {
           std::string{R"(,"interfaces":{})"},
           std::string{R"(,"interfaces":[1])"},
           std::string{R"(,"interfaces":null)"},
           std::string{R"(,"interfaces":[{"name":"default"}])"},                // counters missing
           R"(,"interfaces":[{)" + iface + R"(,"rxBytes":-1}])",                  // negative
           R"(,"interfaces":[{)" + iface + R"(,"txBytes":"1"}])",                 // a string
           R"(,"interfaces":[{"name":3,)" + iface.substr(iface.find("\"rxBytes")) + "}]", // name not a string
           std::string{R"(,"blocks":"vda")"},
           std::string{R"(,"blocks":[{"name":"vda","readBytes":1.5,"readRequests":1,"writeBytes":0,"writeRequests":0}])"},
           std::string{R"(,"blocks":[{"readBytes":1,"readRequests":1,"writeBytes":0,"writeRequests":0}])"},
       }) {
    INFO(bad);
    auto r = with_stats(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::parse_error);
  }
  std::string many = R"(,"blocks":[)";
  for (std::size_t i = 0; i <= launcher_channel_max_devices; ++i)
    many += std::string{i ? "," : ""} + R"({"name":"d","readBytes":1,"readRequests":1,"writeBytes":0,"writeRequests":0})";
  many += "]";
  CHECK_FALSE(with_stats(many));
}

TEST_CASE("phase and lease events render and parse back", "[protocols][launcher]") {
  launcher_event_line phase;
  phase.phase = "running";
  phase.reason = "started: booted";
  CHECK(render_launcher_event(phase) == R"({"event":"phase","phase":"running","reason":"started: booted"})");
  launcher_event_line lease;
  lease.what = launcher_event_line::kind::lease;
  lease.lease = {"default", "52:54:00:aa:bb:cc", "10.0.2.2"};
  CHECK(render_launcher_event(lease) ==
        R"({"event":"lease","interface":"default","ip":"10.0.2.2","mac":"52:54:00:aa:bb:cc"})");
  auto p = parse_launcher_event(render_launcher_event(phase));
  REQUIRE(p);
  CHECK(p->what == launcher_event_line::kind::phase);
  CHECK(p->phase == "running");
  CHECK(p->reason == "started: booted");
  auto l = parse_launcher_event(render_launcher_event(lease));
  REQUIRE(l);
  CHECK(l->what == launcher_event_line::kind::lease);
  CHECK(l->lease.interface == "default");
  CHECK(l->lease.mac == "52:54:00:aa:bb:cc");
  CHECK(l->lease.ip == "10.0.2.2");
  CHECK(parse_launcher_event(R"({"event":"reboot"})").error().code == errc::parse_error);
  CHECK(parse_launcher_event(R"({"event":"lease","interface":"default","mac":"m"})").error().code ==
        errc::parse_error);
  CHECK(parse_launcher_event(R"({"event":"phase","phase":"running"})").error().code == errc::parse_error);
  CHECK(parse_launcher_event("not json").error().code == errc::parse_error);
}
