#include "kube/apiserver/store/store.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/kube/apiserver/store/store_fixture.hpp"

using namespace podvisor::kube::apiserver;
using namespace podvisor::test;
using namespace std::chrono_literals;

namespace {

// Generous: only reached when something is broken, never waited on in a passing run.
constexpr auto patience = 10s;

/// The next event, or a test failure naming what came instead.
event_ptr expect_event(watch_stream& w) {
  auto next = w.next(patience);
  INFO("status " << podvisor::kube::api::to_string(next.status) << ": " << next.reason);
  REQUIRE(next.status == watch_status::event);
  return next.event;
}

std::string value_of(const json_ptr& text) {
  return nlohmann::json::parse(*text)["spec"]["value"].get<std::string>();
}

} // namespace

TEST_CASE("watch from 0 replays the current state as ADDED, then live changes", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  auto s = open_store(dir);
  REQUIRE(s->create({pods, "ns", "b"}, object_json("ns", "b", "1")));
  REQUIRE(s->create({pods, "ns", "a"}, object_json("ns", "a", "1")));
  REQUIRE(s->create({pods, "other", "c"}, object_json("other", "c", "1")));
  REQUIRE(s->create({vmis, "ns", "a"}, object_json("ns", "a", "1")));

  auto w = s->watch({.resource = pods, .namespace_ = "ns"});
  REQUIRE(w.has_value());
  auto first = expect_event(*w.value());
  CHECK(first->type == event_type::added);
  CHECK(first->key.name == "a");
  CHECK(first->rv == 3);
  CHECK(first->previous == nullptr);
  CHECK(expect_event(*w.value())->key.name == "b");
  CHECK(w.value()->next(0ms).status == watch_status::timeout);

  auto updated = s->update({pods, "ns", "a"}, object_json("ns", "a", "2"));
  REQUIRE(updated.has_value());
  REQUIRE(s->update({pods, "other", "c"}, object_json("other", "c", "2"))); // filtered out
  REQUIRE(s->remove({pods, "ns", "b"}));

  auto modified = expect_event(*w.value());
  CHECK(modified->type == event_type::modified);
  CHECK(modified->rv == updated->object.rv);
  CHECK(value_of(modified->object) == "2");
  CHECK(value_of(modified->previous) == "1");
  auto deleted = expect_event(*w.value());
  CHECK(deleted->type == event_type::deleted);
  CHECK(deleted->key == object_key{pods, "ns", "b"});
  CHECK(nlohmann::json::parse(*deleted->object)["metadata"]["resourceVersion"] == std::to_string(deleted->rv));
  REQUIRE(deleted->previous != nullptr);
  CHECK(nlohmann::json::parse(*deleted->previous)["metadata"]["resourceVersion"] == "2");
}

TEST_CASE("watch from N replays every later change in order, then live ones", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  auto s = open_store(dir);
  std::vector<std::uint64_t> rvs;
  for (int i = 0; i < 5; ++i)
    rvs.push_back(s->create({pods, "ns", "p" + std::to_string(i)}, object_json("ns", "p" + std::to_string(i), "1"))->rv);
  REQUIRE(s->create({vmis, "ns", "x"}, object_json("ns", "x", "1"))); // another resource

  auto w = s->watch({.resource = pods, .from_rv = rvs[1]});
  REQUIRE(w.has_value());
  CHECK(expect_event(*w.value())->rv == rvs[2]);
  CHECK(expect_event(*w.value())->rv == rvs[3]);
  CHECK(expect_event(*w.value())->rv == rvs[4]);
  CHECK(w.value()->next(0ms).status == watch_status::timeout);
  auto live = s->update({pods, "ns", "p0"}, object_json("ns", "p0", "2"));
  REQUIRE(live.has_value());
  CHECK(expect_event(*w.value())->rv == live->object.rv);

  // Watching from the current RV yields only what comes next.
  auto from_now = s->watch({.resource = pods, .from_rv = s->current_rv()});
  REQUIRE(from_now.has_value());
  CHECK(from_now.value()->next(0ms).status == watch_status::timeout);
}

TEST_CASE("watch from an RV older than the history window is gone", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  auto s = open_store(dir, {.history_size = 3});
  // A fresh store can be watched from its genesis RV.
  REQUIRE(s->watch({.resource = pods, .from_rv = 1}).has_value());
  for (int i = 0; i < 10; ++i)
    REQUIRE(s->create({pods, "ns", "p" + std::to_string(i)}, object_json("ns", "p" + std::to_string(i), "1")));
  CHECK(s->current_rv() == 11);
  CHECK(s->oldest_resumable_rv() == 8); // events 9, 10 and 11 are retained

  auto gone = s->watch({.resource = pods, .from_rv = 7});
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.code() == store_errc::gone);
  CHECK(gone.error().message == "too old resource version: 7 (8)");

  auto oldest = s->watch({.resource = pods, .from_rv = 8});
  REQUIRE(oldest.has_value());
  CHECK(expect_event(*oldest.value())->rv == 9);
  // From 0 is always possible: it starts from the current state.
  REQUIRE(s->watch({.resource = pods}).has_value());
}

TEST_CASE("a watcher resumes after a restart without loss or duplicates", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  std::uint64_t seen = 0;
  std::vector<std::uint64_t> expected;
  {
    auto s = open_store(dir);
    auto w = s->watch({.resource = pods, .from_rv = s->current_rv()});
    REQUIRE(w.has_value());
    for (int i = 0; i < 5; ++i)
      expected.push_back(s->create({pods, "ns", "p" + std::to_string(i)}, object_json("ns", "p" + std::to_string(i), "1"))->rv);
    for (int i = 0; i < 3; ++i)
      seen = expect_event(*w.value())->rv; // the client read three events before the restart
    expected.push_back(s->update({pods, "ns", "p0"}, object_json("ns", "p0", "2"))->object.rv);
  }
  auto s = open_store(dir);
  expected.push_back(s->remove({pods, "ns", "p1"})->rv);
  auto w = s->watch({.resource = pods, .from_rv = seen});
  REQUIRE(w.has_value());
  std::vector<std::uint64_t> got;
  std::vector<event_ptr> events;
  for (std::size_t i = 3; i < expected.size(); ++i) {
    events.push_back(expect_event(*w.value()));
    got.push_back(events.back()->rv);
  }
  CHECK(got == std::vector<std::uint64_t>(expected.begin() + 3, expected.end()));
  CHECK(w.value()->next(0ms).status == watch_status::timeout);
  // The replayed events carry old and new state as the original ones did.
  REQUIRE(events.size() == 4);
  CHECK(events[2]->type == event_type::modified);
  CHECK(value_of(events[2]->previous) == "1");
  CHECK(value_of(events[2]->object) == "2");
  CHECK(events[3]->type == event_type::deleted);
  CHECK(events[3]->previous != nullptr);
}

TEST_CASE("watch from a future RV waits until the counter passes it", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  auto s = open_store(dir);
  auto w = s->watch({.resource = pods, .from_rv = s->current_rv() + 1});
  REQUIRE(w.has_value());
  REQUIRE(s->create({pods, "ns", "a"}, object_json("ns", "a", "1")));
  CHECK(w.value()->next(0ms).status == watch_status::timeout);
  auto second = s->create({pods, "ns", "b"}, object_json("ns", "b", "1"));
  REQUIRE(second.has_value());
  CHECK(expect_event(*w.value())->rv == second->rv);
}

TEST_CASE("50 watchers see every event of concurrent writers in order", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  auto s = open_store(dir);
  constexpr int writers = 4, per_writer = 150, watchers = 50;
  constexpr int total = writers * per_writer * 2; // a create and an update per object
  const auto start = s->current_rv();

  std::vector<std::shared_ptr<watch_stream>> streams;
  for (int i = 0; i < watchers; ++i)
    streams.push_back(s->watch({.resource = pods, .from_rv = start}).value());
  std::vector<std::vector<std::uint64_t>> seen(watchers);
  std::vector<std::string> failures(watchers);
  std::vector<std::thread> consumers;
  for (int i = 0; i < watchers; ++i)
    consumers.emplace_back([&, i] {
      while (seen[i].size() < total) {
        auto next = streams[i]->next(patience);
        if (next.status != watch_status::event) {
          failures[i] = std::string(podvisor::kube::api::to_string(next.status)) + " " + next.reason;
          return;
        }
        seen[i].push_back(next.event->rv);
      }
    });

  std::atomic<bool> writing{true};
  std::atomic<int> inconsistent_lists{0};
  std::thread reader([&] {
    while (writing.load()) {
      auto listed = s->list(pods);
      for (const auto& item : listed.items)
        if (item.rv > listed.resource_version)
          ++inconsistent_lists;
    }
  });
  std::vector<std::thread> producers;
  std::atomic<int> write_errors{0};
  for (int w = 0; w < writers; ++w)
    producers.emplace_back([&, w] {
      for (int i = 0; i < per_writer; ++i) {
        auto name = "w" + std::to_string(w) + "-" + std::to_string(i);
        if (!s->create({pods, "ns", name}, object_json("ns", name, "1")))
          ++write_errors;
        if (!s->update({pods, "ns", name}, object_json("ns", name, "2")))
          ++write_errors;
      }
    });
  for (auto& t : producers)
    t.join();
  writing = false;
  reader.join();
  for (auto& t : consumers)
    t.join();

  CHECK(write_errors == 0);
  CHECK(inconsistent_lists == 0);
  CHECK(s->current_rv() == start + total);
  std::vector<std::uint64_t> expected(total);
  for (int i = 0; i < total; ++i)
    expected[i] = start + 1 + static_cast<std::uint64_t>(i);
  for (int i = 0; i < watchers; ++i) {
    INFO("watcher " << i << ": " << failures[i]);
    CHECK(seen[i] == expected);
  }
}

TEST_CASE("a slow watcher is terminated without blocking writers or other watchers", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  auto s = open_store(dir);
  constexpr int writes = 200;
  auto slow = s->watch({.resource = pods, .from_rv = s->current_rv(), .queue_capacity = 16}).value();
  auto fast = s->watch({.resource = pods, .from_rv = s->current_rv(), .queue_capacity = 16}).value();
  std::vector<std::uint64_t> fast_seen;
  std::string fast_failure;
  // The fast watcher keeps up by acknowledging each event before the next write, the way
  // a consumer faster than the writer would; the slow one never reads.
  for (int i = 0; i < writes; ++i) {
    auto name = "p" + std::to_string(i);
    auto created = s->create({pods, "ns", name}, object_json("ns", name, "1"));
    REQUIRE(created.has_value());
    auto next = fast->next(patience);
    REQUIRE(next.status == watch_status::event);
    fast_seen.push_back(next.event->rv);
  }
  CHECK(fast_seen.size() == writes);
  CHECK(fast_seen.back() == s->current_rv());
  auto cut = slow->next(0ms);
  CHECK(cut.status == watch_status::terminated);
  CHECK(cut.reason.find("fell too far behind") != std::string::npos);
  CHECK(slow->done());
  CHECK_FALSE(fast->done());
}

TEST_CASE("a slow watcher does not delay concurrent consumers", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  auto s = open_store(dir);
  constexpr int writes = 500;
  auto slow = s->watch({.resource = pods, .from_rv = s->current_rv(), .queue_capacity = 8}).value();
  auto fast = s->watch({.resource = pods, .from_rv = s->current_rv()}).value();
  std::vector<std::uint64_t> fast_seen;
  std::thread consumer([&] {
    while (fast_seen.size() < writes) {
      auto next = fast->next(patience);
      if (next.status != watch_status::event)
        return;
      fast_seen.push_back(next.event->rv);
    }
  });
  for (int i = 0; i < writes; ++i) {
    auto name = "p" + std::to_string(i);
    REQUIRE(s->create({pods, "ns", name}, object_json("ns", name, "1")));
  }
  consumer.join();
  CHECK(fast_seen.size() == writes);
  CHECK(slow->next(0ms).status == watch_status::terminated);
}

TEST_CASE("watch streams report closed when closed or when the store goes away", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  auto s = open_store(dir);
  REQUIRE(s->create({pods, "ns", "a"}, object_json("ns", "a", "1")));
  auto mine = s->watch({.resource = pods, .from_rv = s->current_rv()}).value();
  mine->close();
  CHECK(mine->next(1h).status == watch_status::closed);
  REQUIRE(s->create({pods, "ns", "b"}, object_json("ns", "b", "1"))); // prunes the closed one

  auto outliving = s->watch({.resource = pods, .from_rv = s->current_rv()}).value();
  REQUIRE(s->create({pods, "ns", "c"}, object_json("ns", "c", "1")));
  s.reset();
  CHECK(outliving->next(1h).status == watch_status::event); // queued before shutdown
  auto end = outliving->next(1h);
  CHECK(end.status == watch_status::closed);
  CHECK(end.reason == "store closed");
  CHECK(open_store(dir)->watch({.resource = ""}).code() == store_errc::invalid);
}

TEST_CASE("a restart with a trimmed log restores live objects and the whole window", "[kube][apiserver][store][watch]") {
  temp_dir dir;
  std::vector<std::pair<object_key, stored_object>> before;
  std::vector<event_ptr> window;
  std::uint64_t last = 0;
  constexpr std::size_t history = 5;
  {
    auto s = open_store(dir, {.history_size = history});
    // Enough writes to trim the log several times (it trims every 64 RVs).
    for (int round = 0; round < 30; ++round)
      for (int i = 0; i < 8; ++i) {
        object_key key{pods, "ns", "p" + std::to_string(i)};
        auto text = object_json("ns", key.name, std::to_string(round));
        if (round == 0)
          REQUIRE(s->create(key, text));
        else if (round == 29 && i % 2 == 0)
          REQUIRE(s->remove(key));
        else
          REQUIRE(s->update(key, text));
      }
    last = s->current_rv();
    for (const auto& item : s->list(pods).items)
      before.emplace_back(object_key{}, item);
    auto w = s->watch({.resource = pods, .from_rv = s->oldest_resumable_rv()}).value();
    for (std::size_t i = 0; i < history; ++i)
      window.push_back(expect_event(*w));
  }
  auto s = open_store(dir, {.history_size = history});
  CHECK(s->current_rv() == last);
  CHECK(s->oldest_resumable_rv() == last - history);
  auto after = s->list(pods).items;
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    CHECK(after[i].rv == before[i].second.rv);
    CHECK(after[i].text() == before[i].second.text());
  }
  auto w = s->watch({.resource = pods, .from_rv = last - history}).value();
  for (const auto& original : window) {
    auto replayed = expect_event(*w);
    CHECK(replayed->rv == original->rv);
    CHECK(replayed->type == original->type);
    CHECK(replayed->key == original->key);
    CHECK(*replayed->object == *original->object);
    REQUIRE(replayed->previous != nullptr);
    CHECK(*replayed->previous == *original->previous);
  }
  CHECK(s->watch({.resource = pods, .from_rv = last - history - 1}).code() == store_errc::gone);
}
