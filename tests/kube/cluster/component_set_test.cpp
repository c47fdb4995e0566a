// component_set: an exited component is reported once; with restarts on it starts again
// after its back-off (1 s, doubling while it keeps dying young), with a new pid and its
// log appended; with restarts off, or once stopped on purpose, it stays down.
#include "kube/cluster/component_set.hpp"

#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::kube::cluster;
using namespace std::chrono_literals;

namespace {

// Polls `f` (every 20 ms) until it returns a non-empty vector or 20 s pass.
template <class F>
std::vector<component_state> within(F f) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    auto got = f();
    if (!got.empty() || std::chrono::steady_clock::now() > deadline)
      return got;
    std::this_thread::sleep_for(20ms);
  }
}

component_spec dies_at_once(const std::string& name) {
  return {name, {"/bin/sh", "-c", "echo run $$; exit 3"}};
}

std::string read(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

} // namespace

TEST_CASE("component_set: with restarts on, an exited component comes back after a growing back-off",
          "[kube][cluster][component_set]") {
  scoped_temp_dir dir;
  component_set set{dir.path()};
  set.restart_exited(true);
  REQUIRE_FALSE(set.start(dies_at_once("flaky")));
  auto first_pid = set.states().at(0).pid;

  auto gone = within([&] { return set.newly_exited(); });
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].name == "flaky");
  CHECK(gone[0].ended.find("3") != std::string::npos);
  CHECK(gone[0].restart_in == 1000ms);
  CHECK(set.newly_exited().empty()); // reported once

  auto back = within([&] { return set.restart_due(); });
  REQUIRE(back.size() == 1);
  CHECK(back[0].running);
  CHECK(back[0].restarts == 1);
  CHECK(back[0].pid != first_pid);

  // It dies young again: twice the wait.
  gone = within([&] { return set.newly_exited(); });
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].restart_in == 2000ms);
  CHECK(gone[0].restarts == 1);
  // Both runs wrote to the same log.
  auto log = read(gone[0].log);
  CHECK(log.find("run " + std::to_string(first_pid)) != std::string::npos);
  CHECK(log.find("run " + std::to_string(back[0].pid)) != std::string::npos);

  // Stopped on purpose: never restarted, even when its back-off passes.
  set.stop("flaky", 1s);
  std::this_thread::sleep_for(2100ms); // past the 2 s back-off, to show nothing happens
  CHECK(set.restart_due().empty());
}

TEST_CASE("component_set: with restarts off, an exited component stays down", "[kube][cluster][component_set]") {
  scoped_temp_dir dir;
  component_set set{dir.path()};
  REQUIRE_FALSE(set.start(dies_at_once("once")));
  auto gone = within([&] { return set.newly_exited(); });
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].restart_in == 0ms);
  CHECK(set.restart_due().empty());
  CHECK_FALSE(set.states().at(0).running);
}

TEST_CASE("component_set: a missing binary is a clear error naming the build target", "[kube][cluster][component_set]") {
  scoped_temp_dir dir;
  component_set set{dir.path()};
  auto e = set.start({"ghost", {(dir.path() / "podvisor-ghost").string()}});
  REQUIRE(e);
  CHECK(e.code == errc::not_found);
  CHECK(e.message.find("--target podvisor-ghost") != std::string::npos);
}
