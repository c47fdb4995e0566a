#include "common/clock.hpp"

#include <chrono>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace std::chrono_literals;

TEST_CASE("manual clock moves only when advanced", "[common][clock]") {
  manual_clock c;
  const podvisor::clock& source = c;
  auto t0 = source.now();
  auto w0 = source.wall_now();
  CHECK(source.now() == t0);
  CHECK(w0 == manual_clock::default_wall_start());

  c.advance(1500ms);
  CHECK(source.now() - t0 == 1500ms);
  CHECK(source.wall_now() - w0 == 1500ms);

  c.advance(-1s); // ignored: steady time never goes back
  CHECK(source.now() - t0 == 1500ms);
}

TEST_CASE("manual clock wall time can be set independently", "[common][clock]") {
  manual_clock c;
  auto t0 = c.now();
  auto later = std::chrono::sys_days{std::chrono::year{2030} / 6 / 1};
  c.set_wall(later);
  CHECK(c.wall_now() == later);
  CHECK(c.now() == t0);
  c.advance(1ns);
  CHECK(c.wall_now() == later + 1ns);
}

TEST_CASE("real clock is monotonic and near the system clock", "[common][clock]") {
  const podvisor::clock& c = real_clock::instance();
  auto a = c.now();
  auto b = c.now();
  CHECK(b >= a);
  auto diff = c.wall_now() - std::chrono::system_clock::now();
  CHECK(std::chrono::abs(diff) < 5s);
}
