// directory_watch: a change in the watched directory ends a wait; a change made before
// the wait is not lost; an unwatchable directory degrades to a plain bounded wait.
#include "common/directory_watch.hpp"

#include <catch2/catch_test_macros.hpp>
#include <future>

#include "common/temp_dir.hpp"

using namespace podvisor;
using namespace std::chrono_literals;

TEST_CASE("directory_watch: a file created while waiting ends the wait", "[common][directory_watch]") {
  scoped_temp_dir dir;
  directory_watch watch{dir.path()};
  REQUIRE(watch.watching());
  // Generous bound: the wait must end because of the change, so a false means no event.
  auto waited = std::async(std::launch::async, [&] { return watch.wait(60s); });
  dir.write("socket-appeared", "x");
  CHECK(waited.get());
}

TEST_CASE("directory_watch: a change before the wait is reported by the next wait", "[common][directory_watch]") {
  scoped_temp_dir dir;
  directory_watch watch{dir.path()};
  REQUIRE(watch.watching());
  dir.write("early", "x");
  CHECK(watch.wait(60s));
  // Drained: nothing new since.
  CHECK_FALSE(watch.wait(0ms));
}

TEST_CASE("directory_watch: a missing directory cannot be watched and waits its bound", "[common][directory_watch]") {
  scoped_temp_dir dir;
  directory_watch watch{dir.path() / "not-there"};
  CHECK_FALSE(watch.watching());
  CHECK_FALSE(watch.wait(1ms));
  directory_watch moved = std::move(watch);
  CHECK_FALSE(moved.watching());
}
