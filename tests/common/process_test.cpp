#include "common/process.hpp"

#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <fstream>
#include <sstream>

#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace std::chrono_literals;

TEST_CASE("a child's exit code and output file") {
  scoped_temp_dir tmp;
  spawn_options so;
  so.output_path = (tmp.path() / "out").string();
  so.env = {"PODVISOR_TEST_VALUE=42"};
  auto c = child_process::spawn({"sh", "-c", "echo value=$PODVISOR_TEST_VALUE; echo oops >&2; exit 3"}, so);
  REQUIRE(c);
  auto st = c->wait_for(10s);
  REQUIRE(st);
  CHECK(st->exited);
  CHECK(st->code == 3);
  CHECK_FALSE(st->success());
  CHECK(st->to_string() == "exit code 3");
  std::ifstream in(so.output_path);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == "value=42\noops\n");
}

TEST_CASE("a program that does not exist is an error naming it, not a child") {
  auto c = child_process::spawn({"/nonexistent/podvisor-test-binary"});
  REQUIRE_FALSE(c);
  CHECK(c.error().message.find("/nonexistent/podvisor-test-binary") != std::string::npos);
  CHECK(c.error().message.find("No such file") != std::string::npos);
}

TEST_CASE("wait_for times out on a running child; stop escalates to SIGKILL when SIGTERM is ignored") {
  auto c = child_process::spawn({"sh", "-c", "trap '' TERM; while :; do sleep 1; done"});
  REQUIRE(c);
  auto st = c->wait_for(50ms);
  REQUIRE_FALSE(st);
  CHECK(st.error() == errc::timeout);
  CHECK(c->running());
  auto stopped = c->stop(200ms);
  CHECK_FALSE(stopped.exited);
  CHECK(stopped.signal == SIGKILL);
  CHECK_FALSE(c->running());
}

TEST_CASE("a child that obeys SIGTERM ends with it; destroying a running child reaps it") {
  pid_t pid = 0;
  {
    auto c = child_process::spawn({"sleep", "100"});
    REQUIRE(c);
    pid = c->pid();
    auto stopped = c->stop(5s);
    CHECK(stopped.signal == SIGTERM);
  }
  CHECK(::kill(pid, 0) != 0);
  {
    auto c = child_process::spawn({"sleep", "100"});
    REQUIRE(c);
    pid = c->pid();
  }
  CHECK(::kill(pid, 0) != 0);
}

TEST_CASE("a failing pre-exec hook is reported with its errno") {
  spawn_options so;
  so.hook = [](void*) { return EPERM; };
  auto c = child_process::spawn({"true"}, so);
  REQUIRE_FALSE(c);
  CHECK(c.error().message.find("Operation not permitted") != std::string::npos);
}

TEST_CASE("process_rss_kib reads our own RSS and refuses a pid that is gone") {
  auto rss = process_rss_kib(::getpid());
  REQUIRE(rss);
  CHECK(*rss > 0);
  CHECK_FALSE(process_rss_kib(0x7ffffff0));
}
