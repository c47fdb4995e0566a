#include "actors/controller/work_queue.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace std::chrono_literals;
using podvisor::actors::controller::rate_limit_policy;
using podvisor::actors::controller::work_queue;

TEST_CASE("work_queue: keys come out in order, each once", "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock);
  q.add("a");
  q.add("b");
  q.add("a"); // already queued
  CHECK(q.ready() == 2);
  CHECK(q.get() == "a");
  CHECK(q.get() == "b");
  CHECK_FALSE(q.get().has_value());
}

TEST_CASE("work_queue: a key added while processing is queued again after done, never handed out twice at once",
          "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock);
  q.add("a");
  REQUIRE(q.get() == "a");
  CHECK(q.is_processing("a"));
  q.add("a");
  q.add("a");
  CHECK_FALSE(q.get().has_value()); // "a" is being processed: not handed out again
  q.done("a");
  CHECK(q.get() == "a");
  q.done("a");
  CHECK_FALSE(q.get().has_value()); // the two adds while processing gave one re-queue
}

TEST_CASE("work_queue: done without a new add does not re-queue", "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock);
  q.add("a");
  REQUIRE(q.get() == "a");
  q.done("a");
  CHECK(q.ready() == 0);
  CHECK(q.processing() == 0);
  q.done("unknown"); // harmless
}

TEST_CASE("work_queue: add_after waits for the clock; the earlier time wins", "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock);
  q.add_after("a", 100ms);
  q.add_after("a", 50ms);
  q.add_after("a", 200ms);
  CHECK(q.delayed() == 1);
  REQUIRE(q.next_deadline().has_value());
  CHECK(*q.next_deadline() == clock.now() + 50ms);
  CHECK_FALSE(q.get().has_value());
  clock.advance(49ms);
  CHECK_FALSE(q.get().has_value());
  clock.advance(1ms);
  CHECK(q.get() == "a");
  CHECK_FALSE(q.next_deadline().has_value());
  q.add_after("b", 0ms); // no delay: ready at once
  CHECK(q.get() == "b");
}

TEST_CASE("work_queue: a delayed key that comes due while still queued is processed once", "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock);
  q.add_after("a", 10ms);
  q.add("a");
  clock.advance(10ms);
  CHECK(q.get() == "a");
  CHECK_FALSE(q.get().has_value());
  q.done("a");
  CHECK_FALSE(q.get().has_value()); // the delayed add joined the queued one
  CHECK(q.delayed() == 0);
}

TEST_CASE("work_queue: a delayed key that comes due while processing runs again after done", "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock);
  q.add("a");
  REQUIRE(q.get() == "a");
  q.add_after("a", 10ms);
  clock.advance(10ms);
  CHECK_FALSE(q.get().has_value()); // promoted, but "a" is being processed
  q.done("a");
  CHECK(q.get() == "a");
}

TEST_CASE("work_queue: rate-limited retries back off exponentially from 5 ms, capped at 1000 s, reset by forget",
          "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock);
  CHECK(q.add_rate_limited("a") == 5ms);
  CHECK(q.add_rate_limited("a") == 10ms);
  CHECK(q.add_rate_limited("a") == 20ms);
  CHECK(q.failures("a") == 3);
  CHECK(q.failures("b") == 0);
  for (int i = 0; i < 40; ++i)
    q.add_rate_limited("a");
  CHECK(q.next_backoff("a") == std::chrono::seconds{1000});
  for (int i = 0; i < 1000; ++i) // no overflow however many failures
    q.add_rate_limited("a");
  CHECK(q.add_rate_limited("a") == std::chrono::seconds{1000});
  q.forget("a");
  CHECK(q.failures("a") == 0);
  CHECK(q.next_backoff("a") == 5ms);
}

TEST_CASE("work_queue: failures are per key", "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock, rate_limit_policy{1ms, 8ms});
  q.add_rate_limited("a");
  q.add_rate_limited("a");
  CHECK(q.add_rate_limited("b") == 1ms);
  clock.advance(1ms);
  CHECK(q.get() == "a"); // first failure's 1 ms (the second add kept the earlier time)
  CHECK(q.get() == "b");
  for (int i = 0; i < 10; ++i)
    q.add_rate_limited("c");
  CHECK(q.next_backoff("c") == 8ms);
}

TEST_CASE("work_queue: a rate-limited retry of a key in processing runs after done", "[work_queue]") {
  podvisor::manual_clock clock;
  work_queue q(clock);
  q.add("a");
  REQUIRE(q.get() == "a");
  q.add_rate_limited("a"); // the sync failed: retry later
  q.done("a");
  CHECK_FALSE(q.get().has_value());
  clock.advance(5ms);
  CHECK(q.get() == "a");
}
