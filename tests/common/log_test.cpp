#include "common/log.hpp"

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using namespace podvisor;
using namespace std::chrono_literals;

namespace {

// Captures lines with a fixed clock and restores the facade's defaults afterwards, so
// test cases do not leak settings into each other.
struct captured_log {
  std::vector<std::string> lines;
  manual_clock time;

  captured_log() {
    log::reset();
    time.advance(412ms);
    log::set_clock(&time);
    log::set_sink([this](std::string_view line) { lines.emplace_back(line); });
  }
  ~captured_log() { log::reset(); }
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;
};

// Sets or unsets an environment variable for one scope.
struct scoped_env {
  std::string name;
  scoped_env(std::string n, const char* value) : name(std::move(n)) {
    if (value != nullptr)
      ::setenv(name.c_str(), value, 1);
    else
      ::unsetenv(name.c_str());
  }
  ~scoped_env() { ::unsetenv(name.c_str()); }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
};

} // namespace

TEST_CASE("log level and format string tables round-trip every value", "[common][log]") {
  for (auto l : {log::level::trace, log::level::debug, log::level::info, log::level::warn, log::level::error,
                 log::level::off})
    CHECK(log::parse_level(log::to_string(l)) == l);
  for (auto f : {log::output_format::text, log::output_format::json})
    CHECK(log::parse_output_format(log::to_string(f)) == f);
  CHECK_FALSE(log::parse_level("warning").has_value());
  CHECK_FALSE(log::parse_output_format("yaml").has_value());
}

TEST_CASE("log writes [component object] lines with time and level", "[common][log]") {
  captured_log cap;
  log::logger lg{"agent", "vm default/web-1"};
  lg.info("domain started in {} ms", 412);
  log::logger plain{"kube"};
  plain.error("watch failed: {}", "gone");
  REQUIRE(cap.lines.size() == 2);
  CHECK(cap.lines[0] == "2024-01-01T00:00:00.412Z info  [agent vm default/web-1] domain started in 412 ms\n");
  CHECK(cap.lines[1] == "2024-01-01T00:00:00.412Z error [kube] watch failed: gone\n");
}

TEST_CASE("log text lines stay one line", "[common][log]") {
  captured_log cap;
  log::logger{"agent"}.warn("two\nlines\r");
  REQUIRE(cap.lines.size() == 1);
  CHECK(cap.lines[0] == "2024-01-01T00:00:00.412Z warn  [agent] two\\nlines\\r\n");
}

TEST_CASE("log filters by level", "[common][log]") {
  captured_log cap;
  log::logger lg{"agent"};
  CHECK_FALSE(lg.enabled(log::level::debug));
  CHECK(lg.enabled(log::level::info));
  CHECK_FALSE(lg.enabled(log::level::off));
  lg.trace("t");
  lg.debug("d");
  lg.info("i");
  lg.warn("w");
  lg.error("e");
  REQUIRE(cap.lines.size() == 3);
  CHECK(cap.lines[0].find("] i\n") != std::string::npos);
  CHECK(cap.lines[2].find("] e\n") != std::string::npos);
}

namespace {

struct counted {
  int* calls;
};

std::string to_string(const counted& c) {
  ++*c.calls;
  return "counted";
}

} // namespace

TEST_CASE("log does not format arguments of disabled lines", "[common][log]") {
  captured_log cap;
  int calls = 0;
  log::logger lg{"agent"};
  lg.debug("{}", counted{&calls});
  CHECK(calls == 0);
  lg.info("{}", counted{&calls});
  CHECK(calls == 1);
  CHECK(cap.lines.size() == 1);
}

TEST_CASE("log levels change at run time for existing loggers", "[common][log]") {
  captured_log cap;
  log::logger lg{"agent"};
  lg.debug("hidden");
  log::set_level(log::level::debug);
  lg.debug("shown");
  CHECK(log::default_level() == log::level::debug);
  log::set_level(log::level::off);
  lg.error("hidden too");
  REQUIRE(cap.lines.size() == 1);
  CHECK(cap.lines[0].find("shown") != std::string::npos);
}

TEST_CASE("log per-component levels override the default", "[common][log]") {
  captured_log cap;
  log::logger agent{"agent"};
  log::logger kube{"kube"};
  log::set_component_level("agent", log::level::debug);
  log::set_component_level("kube", log::level::error);
  CHECK(agent.enabled(log::level::debug));
  CHECK_FALSE(kube.enabled(log::level::warn));
  CHECK(log::effective_level("agent") == log::level::debug);

  log::set_level(log::level::trace); // overrides stay
  CHECK_FALSE(agent.enabled(log::level::trace));
  CHECK(log::effective_level("other") == log::level::trace);

  log::clear_component_level("kube");
  CHECK(kube.enabled(log::level::trace));
  log::logger later{"agent"}; // created after the override: sees it too
  CHECK_FALSE(later.enabled(log::level::trace));
  CHECK(later.enabled(log::level::debug));
}

TEST_CASE("log level specs parse and apply", "[common][log]") {
  captured_log cap;
  auto spec = log::parse_level_spec(" warn , agent=debug,kube = error ,");
  REQUIRE(spec.has_value());
  CHECK(spec->default_level == log::level::warn);
  REQUIRE(spec->components.size() == 2);
  CHECK(spec->components[0] == std::pair<std::string, log::level>{"agent", log::level::debug});
  CHECK(spec->components[1] == std::pair<std::string, log::level>{"kube", log::level::error});

  auto only = log::parse_level_spec("agent=debug");
  REQUIRE(only.has_value());
  CHECK(only->default_level == log::level::info);

  CHECK(log::parse_level_spec("").error() == errc::invalid_argument);
  CHECK(log::parse_level_spec(" , ").error() == errc::invalid_argument);
  CHECK(log::parse_level_spec("loud").error().message.find("\"loud\"") != std::string::npos);
  CHECK(log::parse_level_spec("agent=loud").error() == errc::invalid_argument);
  CHECK(log::parse_level_spec("=debug").error() == errc::invalid_argument);

  log::set_component_level("launcher", log::level::trace);
  REQUIRE(log::configure("error,agent=debug").ok());
  CHECK(log::default_level() == log::level::error);
  CHECK(log::effective_level("agent") == log::level::debug);
  CHECK(log::effective_level("launcher") == log::level::error); // replaced, not merged

  CHECK(log::configure("nonsense") == errc::invalid_argument);
  CHECK(log::effective_level("agent") == log::level::debug); // unchanged on error
}

TEST_CASE("log reads PODVISOR_LOG and PODVISOR_LOG_FORMAT", "[common][log]") {
  captured_log cap;
  {
    scoped_env levels{"PODVISOR_LOG", "kube=trace"};
    scoped_env fmt{"PODVISOR_LOG_FORMAT", "json"};
    REQUIRE(log::configure_from_env().ok());
    CHECK(log::effective_level("kube") == log::level::trace);
    CHECK(log::current_output_format() == log::output_format::json);
  }
  {
    scoped_env levels{"PODVISOR_LOG", "debug"};
    scoped_env fmt{"PODVISOR_LOG_FORMAT", "xml"};
    auto err = log::configure_from_env();
    CHECK(err == errc::invalid_argument);
    CHECK(err.context == "PODVISOR_LOG_FORMAT");
    CHECK(log::default_level() == log::level::info); // nothing applied
  }
  {
    scoped_env levels{"PODVISOR_LOG", nullptr};
    scoped_env fmt{"PODVISOR_LOG_FORMAT", ""};
    CHECK(log::configure_from_env().ok());
  }
}

TEST_CASE("log JSON lines are valid JSON with the right fields", "[common][log]") {
  captured_log cap;
  log::set_output_format(log::output_format::json);
  log::logger lg{"agent", "vm default/web-1"};
  lg.warn("quote \" backslash \\ newline \n tab \t bell \a utf8 \xc3\xa9 bad \xff end");
  log::logger{"kube"}.info("plain");
  REQUIRE(cap.lines.size() == 2);
  CHECK(cap.lines[0].back() == '\n');
  CHECK(cap.lines[0].find('\n') == cap.lines[0].size() - 1);

  auto j = nlohmann::json::parse(cap.lines[0]);
  CHECK(j.size() == 5);
  CHECK(j.at("ts") == "2024-01-01T00:00:00.412Z");
  CHECK(j.at("level") == "warn");
  CHECK(j.at("component") == "agent");
  CHECK(j.at("object") == "vm default/web-1");
  CHECK(j.at("msg") == "quote \" backslash \\ newline \n tab \t bell \a utf8 \xc3\xa9 bad \xef\xbf\xbd end");

  auto k = nlohmann::json::parse(cap.lines[1]);
  CHECK(k.at("object") == "");
  CHECK(k.at("msg") == "plain");
}

TEST_CASE("log RFC 3339 timestamps carry milliseconds in UTC", "[common][log]") {
  using namespace std::chrono;
  auto t = sys_days{year{2024} / May / 1} + 12h + 3min + 4s + 5ms + 999us;
  CHECK(log::format_rfc3339_ms(t) == "2024-05-01T12:03:04.005Z");
  CHECK(log::format_rfc3339_ms(sys_days{year{1970} / 1 / 1}) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("log lines from many threads never interleave", "[common][log]") {
  captured_log cap;
  constexpr int threads = 4;
  constexpr int per_thread = 200;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([t] {
      log::logger lg{"agent", podvisor::format("worker-{}", t)};
      for (int i = 0; i < per_thread; ++i)
        lg.info("message {} from {}", i, t);
    });
  for (auto& w : workers)
    w.join();
  REQUIRE(cap.lines.size() == threads * per_thread);
  for (const auto& line : cap.lines) {
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(line.rfind("2024-01-01T00:00:00.412Z info  [agent worker-", 0) == 0);
  }
}
