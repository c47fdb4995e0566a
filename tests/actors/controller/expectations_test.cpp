#include "actors/controller/expectations.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace std::chrono_literals;
using podvisor::actors::controller::expectations;

TEST_CASE("expectations: a key without a record is satisfied", "[expectations]") {
  podvisor::manual_clock clock;
  expectations e(clock);
  CHECK(e.satisfied("ns/a"));
  CHECK(e.pending_creations("ns/a") == 0);
}

TEST_CASE("expectations: an expected creation blocks until observed", "[expectations]") {
  podvisor::manual_clock clock;
  expectations e(clock);
  e.expect("ns/a", 1, 0);
  CHECK_FALSE(e.satisfied("ns/a"));
  CHECK(e.satisfied("ns/b"));
  e.creation_observed("ns/a");
  CHECK(e.satisfied("ns/a"));
  e.creation_observed("ns/a"); // an extra observation (e.g. a relist) keeps it satisfied
  CHECK(e.satisfied("ns/a"));
}

TEST_CASE("expectations: deletions count like creations; raise adds to them", "[expectations]") {
  podvisor::manual_clock clock;
  expectations e(clock);
  e.raise("ns/a", 1, 0);
  e.raise("ns/a", 0, 2);
  CHECK(e.pending_creations("ns/a") == 1);
  CHECK(e.pending_deletions("ns/a") == 2);
  e.creation_observed("ns/a");
  e.deletion_observed("ns/a");
  CHECK_FALSE(e.satisfied("ns/a"));
  e.deletion_observed("ns/a");
  CHECK(e.satisfied("ns/a"));
}

TEST_CASE("expectations: an unobserved expectation expires after the ttl (5 minutes by default)",
          "[expectations]") {
  podvisor::manual_clock clock;
  expectations e(clock);
  e.expect("ns/a", 1, 0);
  clock.advance(5min);
  CHECK_FALSE(e.satisfied("ns/a"));
  CHECK_FALSE(e.expired("ns/a"));
  clock.advance(1ms);
  CHECK(e.expired("ns/a"));
  CHECK(e.satisfied("ns/a"));
  e.expect("ns/a", 1, 0); // a new expectation starts a new timeout
  CHECK_FALSE(e.satisfied("ns/a"));
}

TEST_CASE("expectations: remove forgets a key", "[expectations]") {
  podvisor::manual_clock clock;
  expectations e(clock, 1s);
  e.expect("ns/a", 3, 0);
  CHECK(e.size() == 1);
  e.remove("ns/a");
  CHECK(e.size() == 0);
  CHECK(e.satisfied("ns/a"));
  e.creation_observed("ns/a"); // observing a forgotten key does not create a record
  CHECK(e.size() == 0);
}
