// The console route over real TLS: the log's tail, follow with appended bytes, the end of
// a follow when the log goes away, and the errors.

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include <catch2/catch_test_macros.hpp>

#include "tests/introspect/server_fixture.hpp"

using namespace podvisor;
using namespace podvisor::test;
using namespace std::chrono_literals;

namespace {

void append(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out << text;
}

} // namespace

TEST_CASE("server: console shows the log's tail", "[introspect][server][console]") {
  running_server s;
  auto log = s.files.dir.path() / "serial.log";
  append(log, std::string(3000, 'x') + "PODVISOR-GUEST: booted\n");
  s.provider.consoles["default/vm1"] = log;
  auto c = s.client();

  auto all = c->Get("/v1/supervisors/default/vm1/console");
  REQUIRE(all);
  CHECK(all->status == 200);
  CHECK(all->body.size() == 3000 + 23);
  CHECK(all->body.ends_with("PODVISOR-GUEST: booted\n"));
  CHECK(all->get_header_value("Content-Type").starts_with("text/plain"));

  auto tail = c->Get("/v1/supervisors/default/vm1/console?tail=1");
  REQUIRE(tail);
  CHECK(tail->status == 200);
  CHECK(tail->body.size() == 1024);
  CHECK(tail->body.ends_with("PODVISOR-GUEST: booted\n"));

  auto none = c->Get("/v1/supervisors/default/vm2/console");
  REQUIRE(none);
  CHECK(none->status == 404);
  auto bad = c->Get("/v1/supervisors/default/vm1/console?tail=0");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  s.provider.consoles["default/vm3"] = s.files.dir.path() / "missing.log";
  auto missing = c->Get("/v1/supervisors/default/vm3/console");
  REQUIRE(missing);
  CHECK(missing->status == 503);
  auto anonymous = s.client("")->Get("/v1/supervisors/default/vm1/console");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
}

TEST_CASE("server: console follow streams appended bytes until the log goes away", "[introspect][server][console]") {
  running_server s;
  auto log = s.files.dir.path() / "serial.log";
  append(log, "boot line\n");
  s.provider.consoles["default/vm1"] = log;
  auto c = s.client();

  std::mutex mu;
  std::condition_variable cv;
  std::string got;
  bool ended = false;
  int status = 0;
  std::thread reader([&] {
    auto res = c->Get("/v1/supervisors/default/vm1/console?follow=true", [&](const char* data, std::size_t n) {
      std::lock_guard lock{mu};
      got.append(data, n);
      cv.notify_all();
      return true;
    });
    std::lock_guard lock{mu};
    status = res ? res->status : -1;
    ended = true;
    cv.notify_all();
  });
  auto wait_for = [&](auto pred) {
    std::unique_lock lock{mu};
    return cv.wait_for(lock, 10s, pred);
  };
  CHECK(wait_for([&] { return got == "boot line\n"; }));
  append(log, "PODVISOR-GUEST: booted\n");
  CHECK(wait_for([&] { return got == "boot line\nPODVISOR-GUEST: booted\n"; }));
  std::filesystem::remove(log);
  CHECK(wait_for([&] { return ended; }));
  if (!ended)
    c->stop();
  reader.join();
  CHECK(status == 200);
}

TEST_CASE("server: console follow goes on in the new log after a rotation", "[introspect][server][console]") {
  running_server s;
  auto log = s.files.dir.path() / "serial.log";
  append(log, "old\n");
  s.provider.consoles["default/vm1"] = log;
  auto c = s.client();
  std::mutex mu;
  std::condition_variable cv;
  std::string got;
  std::thread reader([&] {
    c->Get("/v1/supervisors/default/vm1/console?follow=true", [&](const char* data, std::size_t n) {
      std::lock_guard lock{mu};
      got.append(data, n);
      cv.notify_all();
      return true;
    });
  });
  auto wait_for = [&](auto pred) {
    std::unique_lock lock{mu};
    return cv.wait_for(lock, 10s, pred);
  };
  CHECK(wait_for([&] { return got == "old\n"; }));
  std::filesystem::rename(log, s.files.dir.path() / "serial.log.1");
  append(log, "new\n");
  CHECK(wait_for([&] { return got == "old\nnew\n"; }));
  std::filesystem::remove(log);
  c->stop(); // ends the request if the server has not noticed yet
  reader.join();
}
