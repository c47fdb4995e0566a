#include "actors/system/config.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <catch2/catch_test_macros.hpp>

#include "protocols/error.hpp"

using namespace podvisor;
using podvisor::protocols::from_caf_error;
using podvisor::protocols::to_caf_error;

namespace {

constexpr auto wait_limit = std::chrono::seconds{10};

// Lines written through the facade while a test runs; defaults restored afterwards.
struct captured_log {
  std::mutex mutex;
  std::vector<std::string> lines;
  captured_log() {
    log::reset();
    log::set_sink([this](std::string_view line) {
      std::lock_guard guard{mutex};
      lines.emplace_back(line);
    });
  }
  ~captured_log() { log::reset(); }
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;
  std::vector<std::string> snapshot() {
    std::lock_guard guard{mutex};
    return lines;
  }
};

caf::behavior thrower(caf::event_based_actor* self) {
  actors::install_exception_handler(self, actors::make_logger(self, "test", "thrower"));
  return {
    [](int x) -> int {
      if (x < 0)
        throw 42; // not a std::exception
      throw std::runtime_error("boom");
    },
  };
}

} // namespace

TEST_CASE("system_config registers the podvisor error category", "[actors][system][config]") {
  actors::system_config cfg;
  cfg.set_scheduler_threads(2);
  caf::actor_system sys{cfg};
  CHECK(sys.render(to_caf_error({errc::not_found, "vmi default/x"})) == R"(podvisor.not_found("vmi default/x"))");
  CHECK(sys.scheduler().num_workers() == 2);
}

TEST_CASE("set_scheduler_threads ignores zero", "[actors][system][config]") {
  actors::system_config cfg;
  cfg.set_scheduler_threads(3);
  cfg.set_scheduler_threads(0);
  CHECK(caf::get_or(cfg, "scheduler.max-threads", std::size_t{0}) == 3);
}

// Voluntary context switches of every thread of this process (each nanosleep or
// condition-variable wait of a worker is one).
long voluntary_switches() {
  long total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "status");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0)
        total += std::stol(line.substr(line.find(':') + 1));
  }
  return total;
}

TEST_CASE("idle workers wait on their condition variable instead of polling with short sleeps",
          "[actors][system][config]") {
  actors::system_config cfg;
  CHECK(caf::get_or(cfg, "work-stealing.moderate-poll-attempts", std::size_t{500}) == 0);
  cfg.set_scheduler_threads(2);
  caf::actor_system sys{cfg};
  auto echo = sys.spawn([]() -> caf::behavior { return {[](int x) { return x; }}; });
  caf::scoped_actor self{sys};
  // A burst of work, then idleness: with CAF's default polling each worker would now
  // sleep 50 µs up to 500 times (a context switch each) before it waits.
  for (int i = 0; i < 20; ++i)
    self->request(echo, wait_limit, i).receive([](int) {}, [](caf::error&) { FAIL("no echo"); });
  auto before = voluntary_switches();
  // The window over which switches are counted. Waiting workers wake at most every 10 ms
  // (the relaxed timeout), so at most ~20 each here; polling ones would be in the hundreds.
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  auto switches = voluntary_switches() - before;
  INFO("voluntary context switches in 100 ms of idleness: " << switches);
  CHECK(switches < 150);
}

TEST_CASE("make_logger names the actor when no object is given", "[actors][system][config]") {
  actors::system_config cfg;
  cfg.set_scheduler_threads(2);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto named = actors::make_logger(self.ptr(), "agent", "vm default/web-1");
  CHECK(named.component() == "agent");
  CHECK(named.object() == "vm default/web-1");
  auto anonymous = actors::make_logger(self.ptr(), "agent");
  CHECK(anonymous.object() == std::string{self->name()} + "#" + std::to_string(self->id()));
  CHECK(actors::make_logger(nullptr, "agent").object().empty());
}

TEST_CASE("an actor that throws exits with errc::internal and logs the exception", "[actors][system][config]") {
  captured_log cap;
  actors::system_config cfg;
  cfg.set_scheduler_threads(2);
  caf::actor_system sys{cfg};
  auto victim = sys.spawn(thrower);
  caf::scoped_actor self{sys};
  self->monitor(victim);

  bool answered = false;
  self->request(victim, wait_limit, 1)
    .receive([](int) { FAIL("expected an error"); },
             [&](const caf::error& err) {
               answered = true;
               CHECK(from_caf_error(err) == error{errc::internal, "uncaught exception: boom"});
               CHECK(sys.render(err) == R"(podvisor.internal("uncaught exception: boom"))");
             });
  CHECK(answered);

  bool down = false;
  self->receive(
    [&](const caf::down_msg& msg) {
      down = true;
      CHECK(msg.source == victim.address());
      CHECK(from_caf_error(msg.reason) == error{errc::internal, "uncaught exception: boom"});
    },
    caf::after(wait_limit) >> [] { FAIL("no down message"); });
  CHECK(down);

  auto lines = cap.snapshot();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(" error [test thrower] uncaught exception: boom\n") != std::string::npos);
}

TEST_CASE("exceptions that are not std::exception are handled too", "[actors][system][config]") {
  captured_log cap;
  actors::system_config cfg;
  cfg.set_scheduler_threads(2);
  caf::actor_system sys{cfg};
  auto victim = sys.spawn(thrower);
  caf::scoped_actor self{sys};
  self->monitor(victim);
  self->send(victim, -1);
  bool down = false;
  self->receive(
    [&](const caf::down_msg& msg) {
      down = true;
      CHECK(from_caf_error(msg.reason) == error{errc::internal, "uncaught exception: unknown exception"});
    },
    caf::after(wait_limit) >> [] { FAIL("no down message"); });
  CHECK(down);
  auto lines = cap.snapshot();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("[test thrower] uncaught exception: unknown exception") != std::string::npos);
}

TEST_CASE("handle_exception turns an exception into an internal error", "[actors][system][config]") {
  captured_log cap;
  log::logger lg{"agent", "vm default/web-1"};
  auto err = actors::handle_exception(lg, std::make_exception_ptr(std::logic_error("bad state")));
  CHECK(from_caf_error(err) == error{errc::internal, "uncaught exception: bad state"});
  CHECK(from_caf_error(actors::handle_exception(lg, nullptr)) == errc::internal);
  auto lines = cap.snapshot();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find(" error [agent vm default/web-1] uncaught exception: bad state\n") != std::string::npos);
}
