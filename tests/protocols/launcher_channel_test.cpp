// The agent <-> launcher command channel: every op parses, anything else is refused with
// invalid_argument (never an exception), rendering round-trips, versions are negotiated.
#include "protocols/launcher_channel.hpp"

#include <catch2/catch_test_macros.hpp>

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
  return a.op == b.op && a.versions == b.versions && a.grace_seconds == b.grace_seconds;
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
                  launcher_op::resume, launcher_op::watch}) {
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
  reqs.push_back({launcher_op::hello, {1}, std::nullopt});
  reqs.push_back({launcher_op::hello, {7, 1, 4294967295u}, std::nullopt});
  reqs.push_back({launcher_op::status, {}, std::nullopt});
  reqs.push_back({launcher_op::shutdown, {}, std::nullopt});
  reqs.push_back({launcher_op::shutdown, {}, 0});
  reqs.push_back({launcher_op::shutdown, {}, 86400});
  reqs.push_back({launcher_op::pause, {}, std::nullopt});
  reqs.push_back({launcher_op::resume, {}, std::nullopt});
  reqs.push_back({launcher_op::watch, {}, std::nullopt});
  for (const auto& r : reqs) {
    auto line = render_launcher_request(r);
    INFO(line);
    CHECK(line.find('\n') == std::string::npos);
    auto back = parse_launcher_request(line);
    REQUIRE(back);
    CHECK(same(*back, r));
  }
  CHECK(render_launcher_request({launcher_op::shutdown, {}, 5}) == R"({"graceSeconds":5,"op":"shutdown"})");
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
