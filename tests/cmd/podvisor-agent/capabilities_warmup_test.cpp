// The agent's capabilities warm-up against stand-in launchers (shell scripts): what it
// passes, how it reports success, failure, a timeout and a cancel, and that it leaves
// no directory or process behind. The real launcher is used end to end in
// tests/integration/cluster/test_vm_boot.py.
#include "cmd/podvisor-agent/capabilities_warmup.hpp"

#include <fstream>
#include <thread>

#include <catch2/catch_test_macros.hpp>
#include <sys/stat.h>

#include "common/file_tail.hpp"
#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace podvisor::cmd::agent;
using namespace std::chrono_literals;

namespace {

std::string script(const scoped_temp_dir& dir, const std::string& body) {
  auto path = dir.write("launcher.sh", "#!/bin/sh\n" + body);
  ::chmod(path.c_str(), 0700);
  return path.string();
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

warmup_options options_in(const scoped_temp_dir& dir, const std::string& launcher) {
  warmup_options o;
  o.launcher_binary = launcher;
  o.capabilities_cache = dir.path() / "cache";
  o.work_dir = dir.path() / "run" / ".warmup-node-0";
  return o;
}

} // namespace

TEST_CASE("a launcher that warms the cache: warm, its last line, its flags, the work dir gone", "[agent][warmup]") {
  scoped_temp_dir dir{"podvisor-warmup-"};
  // Records its arguments in the cache (which outlives the work dir) and says it is warm.
  auto o = options_in(dir, script(dir, "mkdir -p \"$3\" && echo \"$@\" > \"$3/args\"\n"
                                       "echo 'starting'\necho 'cache is warm (probed)'\n"));
  std::atomic<bool> cancel{false};
  auto r = run_capabilities_warmup(o, cancel);
  INFO(r.detail);
  CHECK(r.warm);
  CHECK(r.detail == "cache is warm (probed)");
  std::ifstream args(o.capabilities_cache / "args");
  std::string line;
  std::getline(args, line);
  CHECK(line == "--warm-capabilities --capabilities-cache " + o.capabilities_cache.string() + " --work-dir " +
                    o.work_dir.string() + " --log-level info");
  CHECK_FALSE(std::filesystem::exists(o.work_dir));
}

TEST_CASE("a failing launcher: not warm, with its exit status and the end of its output", "[agent][warmup]") {
  scoped_temp_dir dir{"podvisor-warmup-"};
  auto o = options_in(dir, script(dir, "echo 'libvirtd: cannot start'\nexit 3\n"));
  std::atomic<bool> cancel{false};
  auto r = run_capabilities_warmup(o, cancel);
  CHECK_FALSE(r.warm);
  CHECK(contains(r.detail, "exit code 3"));
  CHECK(contains(r.detail, "libvirtd: cannot start"));
  CHECK_FALSE(std::filesystem::exists(o.work_dir));
}

TEST_CASE("a launcher that is not there: not warm, and says which", "[agent][warmup]") {
  scoped_temp_dir dir{"podvisor-warmup-"};
  auto o = options_in(dir, (dir.path() / "no-such-launcher").string());
  std::atomic<bool> cancel{false};
  auto r = run_capabilities_warmup(o, cancel);
  CHECK_FALSE(r.warm);
  CHECK(contains(r.detail, "no-such-launcher"));
  CHECK_FALSE(std::filesystem::exists(o.work_dir));
}

TEST_CASE("a launcher that hangs is stopped at the timeout, or when cancelled", "[agent][warmup]") {
  scoped_temp_dir dir{"podvisor-warmup-"};
  // exec: SIGTERM reaches the sleeping process itself, as it reaches the real launcher.
  auto o = options_in(dir, script(dir, "echo 'probing'\nexec sleep 600\n"));
  std::atomic<bool> cancel{false};
  SECTION("timeout") {
    o.timeout = 300ms;
    auto r = run_capabilities_warmup(o, cancel);
    CHECK_FALSE(r.warm);
    CHECK(contains(r.detail, "timed out"));
    CHECK(contains(r.detail, "probing"));
    CHECK(r.took < 60s); // not the launcher's 600 s
  }
  SECTION("cancel") {
    // Cancels once the launcher runs (it has said "probing"), as an agent stopping would.
    std::thread canceller([&] {
      auto give_up = std::chrono::steady_clock::now() + 30s;
      while (!contains(last_lines(o.work_dir / "launcher.log", 1), "probing") &&
             std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(10ms);
      cancel = true;
    });
    auto r = run_capabilities_warmup(o, cancel);
    canceller.join();
    CHECK_FALSE(r.warm);
    CHECK(contains(r.detail, "cancelled"));
    CHECK(contains(r.detail, "probing"));
    CHECK(r.took < 60s);
  }
  CHECK_FALSE(std::filesystem::exists(o.work_dir));
}

TEST_CASE("what a killed agent's warm-up left is cleared first", "[agent][warmup]") {
  scoped_temp_dir dir{"podvisor-warmup-"};
  auto o = options_in(dir, script(dir, "test ! -e \"$5/stale\" && echo fresh\n"));
  std::filesystem::create_directories(o.work_dir);
  std::ofstream(o.work_dir / "stale") << "left by a killed agent";
  std::atomic<bool> cancel{false};
  auto r = run_capabilities_warmup(o, cancel);
  INFO(r.detail);
  CHECK(r.warm);
  CHECK(r.detail == "fresh");
}
