// watch_parser: events split anywhere across chunks, several per chunk, CRLF, blank
// lines, malformed and over-long lines; error_of for ERROR events.

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "kube/client/watch_parser.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;

namespace {

const std::string body =
  R"({"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"5"}}})" "\n"
  R"({"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"a","labels":{"x":"é"}}}})" "\r\n"
  "\n"
  R"({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"9"}}})" "\n"
  R"({"type":"DELETED","object":{"kind":"Pod","metadata":{"name":"a"}}})" "\n";

void check_events(const std::vector<watch_event>& events) {
  REQUIRE(events.size() == 4);
  CHECK(events[0].type == watch_event::kind::added);
  CHECK(events[0].object["metadata"]["resourceVersion"] == "5");
  CHECK(events[1].type == watch_event::kind::modified);
  CHECK(events[1].object["metadata"]["labels"]["x"] == "é");
  CHECK(events[2].type == watch_event::kind::bookmark);
  CHECK(events[2].object["metadata"]["resourceVersion"] == "9");
  CHECK(events[3].type == watch_event::kind::deleted);
}

} // namespace

TEST_CASE("watch_parser: a whole body in one chunk gives every event in order", "[kube][client]") {
  watch_parser p;
  std::vector<watch_event> events;
  REQUIRE_FALSE(p.feed(body, events));
  check_events(events);
  CHECK(p.pending() == 0);
}

TEST_CASE("watch_parser: the body split at every byte position gives the same events", "[kube][client]") {
  for (std::size_t split = 0; split <= body.size(); ++split) {
    watch_parser p;
    std::vector<watch_event> events;
    INFO("split at " << split);
    REQUIRE_FALSE(p.feed(std::string_view(body).substr(0, split), events));
    REQUIRE_FALSE(p.feed(std::string_view(body).substr(split), events));
    check_events(events);
  }
}

TEST_CASE("watch_parser: the body split at every pair of positions gives the same events", "[kube][client]") {
  // Three chunks cover a line split twice (also in the middle of the two-byte "é").
  for (std::size_t a = 0; a <= body.size(); a += 3) {
    for (std::size_t b = a; b <= body.size(); b += 7) {
      watch_parser p;
      std::vector<watch_event> events;
      std::string_view v(body);
      REQUIRE_FALSE(p.feed(v.substr(0, a), events));
      REQUIRE_FALSE(p.feed(v.substr(a, b - a), events));
      REQUIRE_FALSE(p.feed(v.substr(b), events));
      check_events(events);
    }
  }
}

TEST_CASE("watch_parser: one byte at a time", "[kube][client]") {
  watch_parser p;
  std::vector<watch_event> events;
  for (char c : body)
    REQUIRE_FALSE(p.feed(std::string_view(&c, 1), events));
  check_events(events);
}

TEST_CASE("watch_parser: an incomplete last line is held back until its newline", "[kube][client]") {
  watch_parser p;
  std::vector<watch_event> events;
  std::string line = R"({"type":"ADDED","object":{}})";
  REQUIRE_FALSE(p.feed(line, events));
  CHECK(events.empty());
  CHECK(p.pending() == line.size());
  REQUIRE_FALSE(p.feed("\n", events));
  CHECK(events.size() == 1);
  CHECK(p.pending() == 0);
}

TEST_CASE("watch_parser: blank lines and whitespace-only lines are ignored", "[kube][client]") {
  watch_parser p;
  std::vector<watch_event> events;
  REQUIRE_FALSE(p.feed("\n\r\n  \n\t\r\n", events));
  CHECK(events.empty());
  CHECK(p.pending() == 0);
}

TEST_CASE("watch_parser: malformed lines are parse errors with a clear message", "[kube][client]") {
  struct bad {
    std::string line;
    std::string says;
  };
  std::vector<bad> cases = {
    {"{not json", "watch event 1: invalid JSON"},
    {R"(["ADDED"])", "not a JSON object"},
    {R"({"object":{}})", "no \"type\" string"},
    {R"({"type":7,"object":{}})", "no \"type\" string"},
    {R"({"type":"RENAMED","object":{}})", "unknown event type \"RENAMED\""},
    {R"({"type":"ADDED"})", "no \"object\" JSON object"},
    {R"({"type":"ADDED","object":"x"})", "no \"object\" JSON object"},
    {std::string(R"({"type":"ADDED","object":{}})") + '\0', "NUL"},
    {std::string(200, '[') + std::string(200, ']'), "deeper"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    watch_parser p;
    std::vector<watch_event> events;
    auto e = p.feed(c.line + "\n", events);
    CHECK(e == errc::parse_error);
    CHECK(e.message.find(c.says) != std::string::npos);
    CHECK(events.empty());
    // Unusable afterwards, and says so instead of crashing or resynchronising silently.
    CHECK(p.feed(R"({"type":"ADDED","object":{}})" "\n", events) == errc::internal);
  }
}

TEST_CASE("watch_parser: events before a bad line are still delivered, and numbered", "[kube][client]") {
  watch_parser p;
  std::vector<watch_event> events;
  auto e = p.feed(R"({"type":"ADDED","object":{}})" "\n" R"({"type":"ADDED","object":{}})" "\ngarbage\n", events);
  CHECK(e == errc::parse_error);
  CHECK(e.message.find("watch event 3") != std::string::npos);
  CHECK(e.message.find("garbage") != std::string::npos);
  CHECK(events.size() == 2);
}

TEST_CASE("watch_parser: a line over the limit is resource_exhausted, split or not", "[kube][client]") {
  SECTION("complete in one chunk") {
    watch_parser p(64);
    std::vector<watch_event> events;
    auto e = p.feed(std::string(100, 'x') + "\n", events);
    CHECK(e == errc::resource_exhausted);
    CHECK(e.message.find("longer than 64 bytes") != std::string::npos);
  }
  SECTION("growing without a newline is refused before it is buffered") {
    watch_parser p(64);
    std::vector<watch_event> events;
    REQUIRE_FALSE(p.feed(std::string(60, 'x'), events));
    CHECK(p.feed(std::string(10, 'x'), events) == errc::resource_exhausted);
    CHECK(p.pending() == 0);
  }
  SECTION("a line of exactly the limit is fine") {
    std::string line = R"({"type":"ADDED","object":{}})";
    watch_parser p(line.size());
    std::vector<watch_event> events;
    REQUIRE_FALSE(p.feed(line.substr(0, 10), events));
    REQUIRE_FALSE(p.feed(line.substr(10) + "\n", events));
    CHECK(events.size() == 1);
  }
}

TEST_CASE("watch_parser: ERROR events are events; error_of maps 410 to gone", "[kube][client]") {
  watch_parser p;
  std::vector<watch_event> events;
  REQUIRE_FALSE(p.feed(
    R"J({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (108)","reason":"Expired","code":410}})J"
    "\n",
    events));
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == watch_event::kind::error);
  auto e = error_of(events[0]);
  CHECK(e == errc::gone);
  CHECK(e.message == "too old resource version: 5 (108)");
}

TEST_CASE("error_of: other codes are classified like HTTP answers; non-errors are none", "[kube][client]") {
  watch_event ev;
  ev.type = watch_event::kind::error;
  ev.object = {{"kind", "Status"}, {"code", 500}, {"reason", "InternalError"}, {"message", "boom"}};
  CHECK(error_of(ev) == errc::unavailable);
  ev.object = {{"kind", "Status"}, {"reason", "Expired"}, {"message", "old"}};
  CHECK(error_of(ev) == errc::gone);
  ev.object = {{"kind", "Status"}, {"message", "?"}};
  CHECK(error_of(ev) == errc::internal);
  ev.type = watch_event::kind::added;
  CHECK(error_of(ev).ok());
}

TEST_CASE("watch event kinds have names", "[kube][client]") {
  CHECK(to_string(watch_event::kind::added) == "ADDED");
  CHECK(to_string(watch_event::kind::modified) == "MODIFIED");
  CHECK(to_string(watch_event::kind::deleted) == "DELETED");
  CHECK(to_string(watch_event::kind::bookmark) == "BOOKMARK");
  CHECK(to_string(watch_event::kind::error) == "ERROR");
}
