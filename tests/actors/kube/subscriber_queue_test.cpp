#include "actors/kube/subscriber_queue.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "tests/actors/kube/test_support.hpp"

using podvisor::actors::kube::subscriber_queue;
using podvisor::protocols::informer_event;
using podvisor::protocols::kube_object;
using podvisor::test::describe;
using podvisor::test::pod;

namespace {

std::vector<std::string> drain(subscriber_queue& q) {
  std::vector<informer_event> events;
  while (q.pop(events)) {
  }
  return describe(events);
}

} // namespace

TEST_CASE("subscriber_queue: without coalescing every change is one event, in order",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  auto a1 = pod("ns", "a", 1);
  auto b2 = pod("ns", "b", 2);
  q.push_change("ns/a", {}, a1);
  q.push_change("ns/b", {}, b2);
  q.push_synced();
  CHECK(q.size() == 3);
  CHECK(drain(q) == std::vector<std::string>{"added ns/a@1", "added ns/b@2", "synced"});
  CHECK(q.empty());
}

TEST_CASE("subscriber_queue: updates coalesce; old is what the subscriber was given",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  auto a1 = pod("ns", "a", 1);
  auto a2 = pod("ns", "a", 2);
  auto a3 = pod("ns", "a", 3);
  q.push_change("ns/a", a1, a2);
  q.push_change("ns/a", a2, a3);
  CHECK(q.size() == 1);
  CHECK(drain(q) == std::vector<std::string>{"updated ns/a@1->3"});
}

TEST_CASE("subscriber_queue: added then updated is one added with the latest state",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  q.push_change("ns/a", {}, pod("ns", "a", 1));
  q.push_change("ns/a", pod("ns", "a", 1), pod("ns", "a", 4));
  CHECK(drain(q) == std::vector<std::string>{"added ns/a@4"});
}

TEST_CASE("subscriber_queue: added then deleted before delivery is not delivered at all",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  auto a1 = pod("ns", "a", 1);
  q.push_change("ns/a", {}, a1);
  q.push_change("ns/a", a1, {}, pod("ns", "a", 2));
  CHECK(q.empty());
  CHECK(drain(q).empty());
}

TEST_CASE("subscriber_queue: updated then deleted is deleted with the final state",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  auto a1 = pod("ns", "a", 1);
  auto a2 = pod("ns", "a", 2);
  q.push_change("ns/a", a1, a2);
  q.push_change("ns/a", a2, {}, pod("ns", "a", 3));
  CHECK(drain(q) == std::vector<std::string>{"deleted ns/a@3"});
}

TEST_CASE("subscriber_queue: a deletion is never hidden by a re-creation", "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  auto old1 = pod("ns", "a", 1, "old");
  auto new5 = pod("ns", "a", 5, "new");
  q.push_change("ns/a", old1, {}, pod("ns", "a", 4, "old"));
  q.push_change("ns/a", {}, new5);
  q.push_change("ns/a", new5, pod("ns", "a", 6, "new"));
  std::vector<informer_event> events;
  REQUIRE(q.pop(events));
  CHECK(describe(events) == std::vector<std::string>{"deleted ns/a@4", "added ns/a@6"});
  CHECK(events[1].object.uid() == "new");
}

TEST_CASE("subscriber_queue: deleted, re-created and deleted again is the first deletion only",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  auto a1 = pod("ns", "a", 1, "first");
  auto a3 = pod("ns", "a", 3, "second");
  q.push_change("ns/a", a1, {}, pod("ns", "a", 2, "first"));
  q.push_change("ns/a", {}, a3);
  q.push_change("ns/a", a3, {}, pod("ns", "a", 4, "second"));
  CHECK(drain(q) == std::vector<std::string>{"deleted ns/a@2"});
}

TEST_CASE("subscriber_queue: a coalesced key moves behind later changes (resourceVersion order)",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  q.push_change("ns/a", pod("ns", "a", 1), pod("ns", "a", 2));
  q.push_change("ns/b", pod("ns", "b", 1), pod("ns", "b", 3));
  q.push_change("ns/a", pod("ns", "a", 2), pod("ns", "a", 4));
  CHECK(drain(q) == std::vector<std::string>{"updated ns/b@1->3", "updated ns/a@1->4"});
}

TEST_CASE("subscriber_queue: resync re-delivers unchanged objects and yields to pending changes",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  auto a1 = pod("ns", "a", 1);
  auto b1 = pod("ns", "b", 1);
  q.push_change("ns/a", a1, pod("ns", "a", 2));
  q.push_resync("ns/a", pod("ns", "a", 2)); // already pending: no second entry
  q.push_resync("ns/b", b1);
  CHECK(q.size() == 2);
  std::vector<informer_event> events;
  while (q.pop(events)) {
  }
  CHECK(describe(events) == std::vector<std::string>{"updated ns/a@1->2", "updated ns/b@1->1 (resync)"});
  CHECK(events[1].object == events[1].old_object);
}

TEST_CASE("subscriber_queue: a real change after a resync entry clears the resync flag",
          "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  auto b1 = pod("ns", "b", 1);
  q.push_resync("ns/b", b1);
  q.push_change("ns/b", b1, pod("ns", "b", 2));
  CHECK(drain(q) == std::vector<std::string>{"updated ns/b@1->2"});
}

TEST_CASE("subscriber_queue: relist deletions keep the unknown-final-state mark", "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  q.push_change("ns/a", pod("ns", "a", 1), {}, {}, true);
  CHECK(drain(q) == std::vector<std::string>{"deleted ns/a@1 (unknown)"});
}

TEST_CASE("subscriber_queue: size is bounded by keys however many changes", "[actors][kube][subscriber_queue]") {
  subscriber_queue q;
  kube_object previous[3];
  for (int i = 1; i <= 1000; ++i) {
    int k = i % 3;
    auto name = "k" + std::to_string(k);
    auto next = pod("ns", name, static_cast<std::uint64_t>(i));
    q.push_change("ns/" + name, previous[k], next);
    previous[k] = next;
  }
  CHECK(q.size() == 3);
  CHECK(drain(q) == std::vector<std::string>{"added ns/k2@998", "added ns/k0@999", "added ns/k1@1000"});
}
