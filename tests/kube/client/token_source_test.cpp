// token_source: a static token, and a token file re-read when it changes (checked at most
// once per second, on an injected clock) or at once after a 401.

#include <chrono>
#include <filesystem>

#include <catch2/catch_test_macros.hpp>

#include "common/clock.hpp"
#include "kube/client/token_source.hpp"
#include "tests/kube/client/test_support.hpp"

using namespace podvisor;
using namespace podvisor::kube::client;
using podvisor::test::temp_dir;

TEST_CASE("token_source: a static token never changes", "[kube][client]") {
  auto s = token_source::create("static", {});
  REQUIRE(s);
  CHECK((*s)->current() == "static");
  CHECK_FALSE((*s)->refresh());
  CHECK_FALSE((*s)->from_file());
}

TEST_CASE("token_source: a missing or empty token file is an error naming it", "[kube][client]") {
  temp_dir dir;
  auto missing = token_source::create("", dir.path() / "token");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find((dir.path() / "token").string()) != std::string::npos);
  auto empty = token_source::create("", dir.write("token", "\n"));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message.find("empty") != std::string::npos);
}

TEST_CASE("token_source: a rotated file is picked up at the next check, not before", "[kube][client]") {
  temp_dir dir;
  manual_clock clock;
  auto file = dir.write("token", "first-token\n");
  auto s = token_source::create("ignored", file, clock);
  REQUIRE(s);
  auto& tokens = **s;
  CHECK(tokens.from_file());
  CHECK(tokens.current() == "first-token");

  // A longer token: the size changes even if the time stamp's resolution hides the write.
  dir.write("token", "second-token-longer\n");
  clock.advance(std::chrono::milliseconds(500));
  CHECK(tokens.current() == "first-token"); // checked less than a second ago
  clock.advance(std::chrono::milliseconds(600));
  CHECK(tokens.current() == "second-token-longer");
}

TEST_CASE("token_source: a same-size rewrite is found by its time stamp", "[kube][client]") {
  temp_dir dir;
  manual_clock clock;
  auto file = dir.write("token", "aaaa");
  auto s = token_source::create("", file, clock);
  REQUIRE(s);
  dir.write("token", "bbbb");
  // Make the modification time differ for certain, whatever the file system's resolution.
  std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::seconds(2));
  clock.advance(std::chrono::seconds(1));
  CHECK((*s)->current() == "bbbb");
}

TEST_CASE("token_source: refresh re-reads at once and says whether the token changed", "[kube][client]") {
  temp_dir dir;
  manual_clock clock;
  auto file = dir.write("token", "old");
  auto s = token_source::create("", file, clock);
  REQUIRE(s);
  CHECK_FALSE((*s)->refresh());
  dir.write("token", "new");
  CHECK((*s)->refresh());
  CHECK((*s)->current() == "new");
}

TEST_CASE("token_source: a vanished or emptied file keeps the last token", "[kube][client]") {
  temp_dir dir;
  manual_clock clock;
  auto file = dir.write("token", "kept");
  auto s = token_source::create("", file, clock);
  REQUIRE(s);
  std::filesystem::remove(file);
  clock.advance(std::chrono::seconds(2));
  CHECK((*s)->current() == "kept");
  CHECK_FALSE((*s)->refresh());
  dir.write("token", "");
  clock.advance(std::chrono::seconds(2));
  CHECK((*s)->current() == "kept");
}
