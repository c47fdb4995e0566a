#include "common/backoff.hpp"

#include <chrono>
#include <vector>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace std::chrono_literals;

namespace {

std::vector<backoff::duration> take(backoff& b, int n) {
  std::vector<backoff::duration> out;
  for (int i = 0; i < n; ++i)
    out.push_back(b.next());
  return out;
}

} // namespace

TEST_CASE("backoff without jitter grows by factor up to the cap", "[common][backoff]") {
  backoff b{{.initial = 100ms, .max = 1s, .factor = 2.0, .jitter = 0.0}, 1};
  std::vector<backoff::duration> expected_delays = {100ms, 200ms, 400ms, 800ms, 1s, 1s, 1s};
  CHECK(take(b, 7) == expected_delays);
  CHECK(b.attempts() == 7);
}

TEST_CASE("backoff with factor 1 is constant", "[common][backoff]") {
  backoff b{{.initial = 50ms, .max = 1s, .factor = 1.0, .jitter = 0.0}, 1};
  CHECK(take(b, 3) == std::vector<backoff::duration>{50ms, 50ms, 50ms});
}

TEST_CASE("backoff jitter stays within [d * (1 - jitter), d] and never exceeds max", "[common][backoff]") {
  backoff b{{.initial = 100ms, .max = 2s, .factor = 2.0, .jitter = 0.5}, 42};
  backoff::duration nominal = 100ms;
  bool saw_below_nominal = false;
  for (int i = 0; i < 200; ++i) {
    auto d = b.next();
    INFO("attempt " << i << " delay " << d.count() << " ns");
    CHECK(d <= nominal);
    CHECK(d >= nominal / 2);
    CHECK(d <= 2s);
    saw_below_nominal = saw_below_nominal || d < nominal;
    nominal = std::min<backoff::duration>(nominal * 2, 2s);
  }
  CHECK(saw_below_nominal);
}

TEST_CASE("backoff full jitter spans [0, d]", "[common][backoff]") {
  backoff b{{.initial = 1s, .max = 1s, .factor = 2.0, .jitter = 1.0}, 7};
  bool low = false;
  bool high = false;
  for (int i = 0; i < 1000; ++i) {
    auto d = b.next();
    REQUIRE(d >= 0ns);
    REQUIRE(d <= 1s);
    low = low || d < 100ms;
    high = high || d > 900ms;
  }
  CHECK(low);
  CHECK(high);
}

TEST_CASE("backoff reset starts again from initial", "[common][backoff]") {
  backoff b{{.initial = 10ms, .max = 1s, .factor = 3.0, .jitter = 0.0}, 1};
  take(b, 4);
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.next() == 10ms);
  CHECK(b.next() == 30ms);
}

TEST_CASE("backoff with the same seed gives the same sequence", "[common][backoff]") {
  backoff_policy p{.initial = 100ms, .max = 10s, .factor = 1.5, .jitter = 0.3};
  backoff a{p, 1234};
  backoff b{p, 1234};
  backoff c{p, 4321};
  auto seq_a = take(a, 20);
  CHECK(seq_a == take(b, 20));
  CHECK(seq_a != take(c, 20));
}

TEST_CASE("backoff policy validation and clamping", "[common][backoff]") {
  CHECK(validate(backoff_policy{}).ok());
  CHECK(validate({.initial = 0ms}) == errc::invalid_argument);
  CHECK(validate({.initial = 2s, .max = 1s}) == errc::invalid_argument);
  CHECK(validate({.factor = 0.5}) == errc::invalid_argument);
  CHECK(validate({.jitter = 1.5}) == errc::invalid_argument);
  CHECK(validate({.jitter = -0.1}) == errc::invalid_argument);

  backoff b{{.initial = 2s, .max = 1s, .factor = 0.5, .jitter = 3.0}, 1};
  CHECK(b.policy().max == 2s);
  CHECK(b.policy().factor == 1.0);
  CHECK(b.policy().jitter == 1.0);
  for (int i = 0; i < 10; ++i)
    CHECK(b.next() <= 2s);
}
