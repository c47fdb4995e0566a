#include "kube/apiserver/store/watch_queue.hpp"

#include <catch2/catch_test_macros.hpp>

#include <thread>

using namespace podvisor::kube::apiserver;
using namespace std::chrono_literals;
using podvisor::kube::api::enum_table;
using podvisor::kube::api::parse_enum;
using podvisor::kube::api::to_string;
using detail::watch_filter;
using detail::watch_queue;

namespace {

event_ptr make_event(std::uint64_t rv, std::string ns = "ns") {
  auto e = std::make_shared<watch_event>();
  e->type = event_type::modified;
  e->rv = rv;
  e->key = {"v1/pods", std::move(ns), "a"};
  e->object = std::make_shared<const std::string>("{}");
  return e;
}

} // namespace

TEST_CASE("watch_status and event_type round-trip through their string tables", "[kube][apiserver][store]") {
  for (const auto& entry : enum_table<watch_status>::entries) {
    CHECK(to_string(entry.value) == entry.name);
    CHECK(parse_enum<watch_status>(entry.name) == entry.value);
  }
  for (const auto& entry : enum_table<event_type>::entries) {
    CHECK(to_string(entry.value) == entry.name);
    CHECK(parse_enum<event_type>(entry.name) == entry.value);
  }
  CHECK(to_string(event_type::deleted) == "DELETED");
}

TEST_CASE("watch queue delivers the backlog, then live events past min_rv", "[kube][apiserver][store]") {
  watch_queue q(watch_filter{"v1/pods", "ns", 5}, {make_event(4), make_event(5)}, 10);
  CHECK(q.offer(make_event(5)) == watch_queue::offered::skipped); // covered by the backlog
  CHECK(q.offer(make_event(6, "other")) == watch_queue::offered::skipped); // other namespace
  CHECK(q.offer(make_event(6)) == watch_queue::offered::queued); // nobody waits: no wake-up
  std::vector<std::uint64_t> seen;
  for (;;) {
    auto next = q.next(0ms);
    if (next.status != watch_status::event) {
      CHECK(next.status == watch_status::timeout);
      break;
    }
    seen.push_back(next.event->rv);
  }
  CHECK(seen == std::vector<std::uint64_t>{4, 5, 6});
}

TEST_CASE("watch queue cuts off a consumer that falls behind", "[kube][apiserver][store]") {
  watch_queue q(watch_filter{"v1/pods", std::nullopt, 0}, {make_event(1)}, 2);
  CHECK(q.offer(make_event(2)) == watch_queue::offered::queued);
  CHECK(q.offer(make_event(3)) == watch_queue::offered::queued);
  CHECK(q.offer(make_event(4)) == watch_queue::offered::queued); // cut off now...
  CHECK(q.done());
  auto next = q.next(0ms);
  CHECK(next.status == watch_status::terminated);
  CHECK(next.reason.find("fell too far behind") != std::string::npos);
  CHECK(q.offer(make_event(5)) == watch_queue::offered::dead); // ...and forgotten after
}

TEST_CASE("closing a watch queue wakes a blocked consumer", "[kube][apiserver][store]") {
  watch_queue q(watch_filter{"v1/pods", std::nullopt, 0}, {}, 2);
  watch_next result;
  std::thread consumer([&] { result = q.next(1h); });
  q.close();
  consumer.join();
  CHECK(result.status == watch_status::closed);
  CHECK(q.offer(make_event(1)) == watch_queue::offered::dead);
  CHECK(q.next(0ms).status == watch_status::closed);
}

TEST_CASE("finishing a watch queue delivers what is queued, then closed", "[kube][apiserver][store]") {
  watch_queue q(watch_filter{"v1/pods", std::nullopt, 0}, {}, 2);
  CHECK(q.offer(make_event(1)) == watch_queue::offered::queued);
  q.finish("store closed");
  auto first = q.next(0ms);
  REQUIRE(first.status == watch_status::event);
  CHECK(first.event->rv == 1);
  auto second = q.next(1h);
  CHECK(second.status == watch_status::closed);
  CHECK(second.reason == "store closed");
}

TEST_CASE("a waiting consumer receives an event offered from another thread", "[kube][apiserver][store]") {
  watch_queue q(watch_filter{"v1/pods", std::nullopt, 0}, {}, 2);
  watch_next result;
  std::thread consumer([&] { result = q.next(1h); });
  // Offer until the consumer is seen waiting (it may not have started yet); an event
  // offered earlier is simply found by its first look at the queue.
  auto offered = watch_queue::offered::queued;
  for (std::uint64_t rv = 1; offered == watch_queue::offered::queued && rv <= 2; ++rv)
    offered = q.offer(make_event(rv));
  if (offered == watch_queue::offered::wake)
    q.wake();
  consumer.join();
  REQUIRE(result.status == watch_status::event);
  CHECK(result.event->rv == 1);
}
