// The scheduling queue: where a key is after each transition, FIFO order, doubling
// delays, and stale backoff timers that must not queue a pod twice.

#include "actors/scheduler/scheduling_queue.hpp"

#include <chrono>

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::actors::scheduler;
using namespace std::chrono_literals;

TEST_CASE("scheduling_queue: keys come out in the order they were added, once", "[actors][scheduler]") {
  scheduling_queue q;
  CHECK(q.add("a"));
  CHECK(q.add("b"));
  CHECK_FALSE(q.add("a"));
  CHECK(q.pop() == "a");
  CHECK_FALSE(q.add("a")); // in flight: its attempt decides
  CHECK(q.place("a") == queue_place::in_flight);
  CHECK(q.pop() == "b");
  CHECK_FALSE(q.pop());
  q.remove("a");
  CHECK(q.place("a") == queue_place::none);
  CHECK(q.add("a"));
  q.remove("a");
  CHECK_FALSE(q.pop());
}

TEST_CASE("scheduling_queue: parking doubles the delay up to the maximum", "[actors][scheduler]") {
  scheduling_queue q{{1s, 5s}};
  q.add("p");
  std::chrono::nanoseconds expected[] = {1s, 2s, 4s, 5s, 5s};
  for (auto d : expected) {
    REQUIRE(q.pop() == "p");
    auto ticket = q.park("p");
    CHECK(ticket.delay == d);
    CHECK(q.place("p") == queue_place::parked);
    CHECK(q.backoff_expired("p", ticket.token));
  }
  CHECK(q.attempts("p") == 5);
  q.remove("p");
  CHECK(q.attempts("p") == 0);
}

TEST_CASE("scheduling_queue: a stale backoff timer does nothing", "[actors][scheduler]") {
  scheduling_queue q;
  q.add("p");
  q.pop();
  auto first = q.park("p");
  CHECK(q.activate("p")); // the pod changed
  CHECK_FALSE(q.backoff_expired("p", first.token));
  q.pop();
  auto second = q.park("p");
  CHECK_FALSE(q.backoff_expired("p", first.token));
  CHECK(q.place("p") == queue_place::parked);
  CHECK(q.backoff_expired("p", second.token));
  CHECK(q.active_size() == 1);
}

TEST_CASE("scheduling_queue: activate_all moves parked keys only", "[actors][scheduler]") {
  scheduling_queue q;
  for (const char* k : {"a", "b", "c"})
    q.add(k);
  q.pop();
  q.pop();
  q.park("a");
  q.park("b");
  CHECK(q.parked_size() == 2);
  CHECK(q.activate_all() == 2);
  CHECK(q.parked_size() == 0);
  CHECK(q.active_size() == 3);
  CHECK(q.pop() == "c");
  CHECK(q.pop() == "a");
  CHECK(q.pop() == "b");
  CHECK(q.in_flight_size() == 3);
}
