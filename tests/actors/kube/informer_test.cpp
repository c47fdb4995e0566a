// The informer actor, driven deterministically: a recording source stands in for the API
// server (the test answers its lists and watches with messages) and CAF's test
// coordinator runs the actors and moves their clock.

#include "actors/kube/informer.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "protocols/error.hpp"
#include "tests/actors/kube/test_support.hpp"

using namespace podvisor;
using namespace podvisor::protocols;
using actors::kube::informer_config;
using actors::kube::informer_handle;
using test::describe;
using test::pod;
using strings = std::vector<std::string>;

namespace {

using watch_kind = kube_watch_event::kind;

informer_config pods_config() {
  informer_config cfg;
  cfg.resource = podvisor::kube::client::resources::pods();
  cfg.backoff = {std::chrono::seconds{1}, std::chrono::seconds{8}, 2.0, 0.0};
  cfg.indexes = {{"node", actors::kube::field_index("spec.nodeName")}};
  return cfg;
}

struct subscription {
  std::shared_ptr<test::event_log> log;
  informer_subscriber_actor handle;
};

struct informer_fixture : test::deterministic_system {
  std::shared_ptr<test::source_calls> calls = std::make_shared<test::source_calls>();
  informer_handle inf;

  explicit informer_fixture(informer_config config = pods_config()) {
    inf = actors::kube::spawn_informer(sys, std::move(config), test::recording_source_factory(calls));
    keep(inf.actor);
    run();
  }

  subscription subscribe(bool auto_ack = true, std::uint32_t window = 0) {
    auto log = std::make_shared<test::event_log>();
    log->auto_ack = auto_ack;
    log->informer = inf.actor;
    auto handle = keep(sys.spawn(test::recording_subscriber, log));
    caf::anon_send(inf.actor, informer_subscribe_atom_v, handle, window);
    run();
    return {log, handle};
  }

  void ack(const subscription& s, std::uint64_t seq) {
    caf::anon_send(inf.actor, informer_ack_atom_v, s.handle, seq);
    run();
  }

  void list(std::uint64_t generation, std::vector<kube_object> items, std::string rv) {
    caf::anon_send(inf.actor, informer_list_result{generation, {}, std::move(items), std::move(rv)});
    run();
  }

  void list_failed(std::uint64_t generation, errc code) {
    caf::anon_send(inf.actor, informer_list_result{generation, make_error(code, "test"), {}, {}});
    run();
  }

  void events(std::uint64_t generation, std::vector<kube_watch_event> evs) {
    caf::anon_send(inf.actor, informer_watch_batch{generation, std::move(evs)});
    run();
  }

  void ended(std::uint64_t generation, caf::error err = {}) {
    caf::anon_send(inf.actor, informer_watch_ended{generation, std::move(err)});
    run();
  }

  std::uint64_t watch_generation() const { return calls->watches.back().first; }
  std::string watch_rv() const { return calls->watches.back().second; }

  template <class T, class... Ts>
  T ask(Ts... xs) {
    caf::scoped_actor self{sys};
    self->send(inf.actor, xs...);
    run();
    T result{};
    bool got = false;
    self->receive([&](T& x) { result = std::move(x), got = true; },
                  [&](caf::error&) {}, caf::after(std::chrono::seconds{0}) >> [] {});
    CHECK(got);
    return result;
  }

  /// The first list answered with `items` at `rv` (the informer then watches).
  void sync(std::vector<kube_object> items, std::string rv) {
    REQUIRE(calls->lists.size() == 1);
    list(calls->lists.back(), std::move(items), std::move(rv));
  }
};

kube_watch_event ev(watch_kind k, kube_object o) {
  return {k, std::move(o)};
}

kube_watch_event bookmark(std::uint64_t rv) {
  return {watch_kind::bookmark, kube_object{nlohmann::json{{"metadata", {{"resourceVersion", std::to_string(rv)}}}}}};
}

} // namespace

TEST_CASE("informer: lists first, delivers the list as added, then synced, then watches from the list's RV",
          "[actors][kube][informer]") {
  informer_fixture f;
  CHECK(f.calls->lists == std::vector<std::uint64_t>{1});
  CHECK(f.calls->watches.empty());
  auto sub = f.subscribe();
  CHECK(sub.log->size() == 0); // nothing before the list: in particular no synced
  CHECK_FALSE(f.inf.cache->synced());

  f.sync({pod("ns", "b", 7), pod("ns", "a", 5)}, "10");
  CHECK(describe(sub.log->events()) == strings{"added ns/a@5", "added ns/b@7", "synced"});
  REQUIRE(f.calls->watches.size() == 1);
  CHECK(f.watch_rv() == "10");
  CHECK(f.inf.cache->synced());
  CHECK(f.inf.cache->resource_version() == "10");
  CHECK(f.inf.cache->size() == 2);
  auto events = sub.log->events();
  for (std::size_t i = 0; i < events.size(); ++i)
    CHECK(events[i].seq == i + 1);
}

TEST_CASE("informer: watch events reach subscribers in order, typed, with the old state",
          "[actors][kube][informer]") {
  informer_fixture f;
  auto sub = f.subscribe();
  f.sync({pod("ns", "a", 5)}, "10");
  sub.log->clear();
  auto g = f.watch_generation();
  f.events(g, {ev(watch_kind::modified, pod("ns", "a", 11)), ev(watch_kind::added, pod("ns", "c", 12))});
  f.events(g, {ev(watch_kind::deleted, pod("ns", "a", 13))});
  CHECK(describe(sub.log->events()) == strings{"updated ns/a@5->11", "added ns/c@12", "deleted ns/a@13"});
  CHECK(f.inf.cache->get("ns/a").is_null());
  CHECK(f.inf.cache->resource_version() == "13");
  CHECK(f.calls->consumed == 3);
}

TEST_CASE("informer: a repeated resourceVersion is not delivered twice", "[actors][kube][informer]") {
  informer_fixture f;
  auto sub = f.subscribe();
  f.sync({pod("ns", "a", 5)}, "10");
  sub.log->clear();
  auto g = f.watch_generation();
  f.events(g, {ev(watch_kind::added, pod("ns", "a", 5)), ev(watch_kind::modified, pod("ns", "a", 12)),
               ev(watch_kind::modified, pod("ns", "a", 12)), ev(watch_kind::deleted, pod("ns", "zz", 13))});
  CHECK(describe(sub.log->events()) == strings{"updated ns/a@5->12"});
}

TEST_CASE("informer: a slow subscriber gets at most its window, coalesced per key, and converges",
          "[actors][kube][informer]") {
  informer_fixture f;
  auto slow = f.subscribe(/*auto_ack=*/false, /*window=*/2);
  auto fast = f.subscribe();
  f.sync({}, "1");
  auto g = f.watch_generation();
  // 300 changes to three keys, one of them deleted at the end.
  std::uint64_t rv = 1;
  for (int i = 0; i < 100; ++i)
    for (const char* name : {"a", "b", "c"})
      f.events(g, {ev(i == 0 ? watch_kind::added : watch_kind::modified, pod("ns", name, ++rv))});
  f.events(g, {ev(watch_kind::deleted, pod("ns", "b", ++rv))});

  // The fast subscriber saw every change; the slow one only its window (synced + 1).
  CHECK(fast.log->size() == 1 + 301);
  CHECK(describe(slow.log->events()) == strings{"synced", "added ns/a@2"});

  // Acknowledge as events come: the rest arrives coalesced, in order of last change.
  while (true) {
    auto seen = slow.log->events();
    auto before = seen.size();
    f.ack(slow, seen.back().seq);
    if (slow.log->size() == before)
      break;
  }
  CHECK(describe(slow.log->events()) ==
        strings{"synced", "added ns/a@2", "updated ns/a@2->299", "added ns/c@301"});
  // b was added and deleted while queued: the slow subscriber never had it, never hears of it.
  // Replaying what the slow subscriber got gives the cache.
  std::map<std::string, std::string> replay;
  for (const auto& e : slow.log->events()) {
    if (e.kind == informer_event_kind::deleted)
      replay.erase(e.key);
    else if (e.kind != informer_event_kind::synced)
      replay[e.key] = std::string{e.object.resource_version()};
  }
  std::map<std::string, std::string> cached;
  for (const auto& o : f.inf.cache->list())
    cached[o.key()] = std::string{o.resource_version()};
  CHECK(replay == cached);
}

TEST_CASE("informer: a late subscriber gets the cache replayed, then synced, once", "[actors][kube][informer]") {
  informer_fixture f;
  f.sync({pod("ns", "b", 3), pod("ns", "a", 9)}, "9");
  auto late = f.subscribe();
  CHECK(describe(late.log->events()) == strings{"added ns/b@3", "added ns/a@9", "synced"});
  // A relist never sends synced again.
  f.ended(f.watch_generation(), make_error(errc::gone, "too old"));
  f.advance(std::chrono::seconds{1});
  REQUIRE(f.calls->lists.size() == 2);
  f.list(f.calls->lists.back(), {pod("ns", "b", 3), pod("ns", "a", 9)}, "12");
  CHECK(describe(late.log->events()) == strings{"added ns/b@3", "added ns/a@9", "synced"});
}

TEST_CASE("informer: 410 after progress relists at once and delivers only the differences",
          "[actors][kube][informer]") {
  informer_fixture f;
  auto sub = f.subscribe();
  f.sync({pod("ns", "a", 1), pod("ns", "b", 2), pod("ns", "c", 3)}, "3");
  auto g = f.watch_generation();
  f.events(g, {ev(watch_kind::added, pod("ns", "d", 4))});
  sub.log->clear();

  f.ended(g, make_error(errc::gone, "too old resource version"));
  REQUIRE(f.calls->lists.size() == 2); // no backoff: the watch had made progress
  // While disconnected: b updated, c deleted, e added; a and d unchanged.
  f.list(f.calls->lists.back(), {pod("ns", "a", 1), pod("ns", "b", 5), pod("ns", "d", 4), pod("ns", "e", 6)}, "7");
  CHECK(describe(sub.log->events()) == strings{"updated ns/b@2->5", "added ns/e@6", "deleted ns/c@3 (unknown)"});
  CHECK(f.watch_rv() == "7");
  CHECK(f.inf.cache->size() == 4);
  auto stats = f.ask<informer_stats>(informer_stats_atom_v);
  CHECK(stats.lists == 2);
  CHECK(stats.watches == 2);
  CHECK(stats.events == 1);
}

TEST_CASE("informer: a broken stream relists after a backoff delay", "[actors][kube][informer]") {
  informer_fixture f;
  f.sync({pod("ns", "a", 1)}, "1");
  f.ended(f.watch_generation(), make_error(errc::unavailable, "connection reset"));
  CHECK(f.calls->lists.size() == 1);
  f.advance(std::chrono::milliseconds{999});
  CHECK(f.calls->lists.size() == 1);
  f.advance(std::chrono::milliseconds{1});
  CHECK(f.calls->lists.size() == 2);
}

TEST_CASE("informer: failing lists back off exponentially, capped", "[actors][kube][informer]") {
  informer_fixture f;
  // jitter 0: delays 1 s, 2 s, 4 s, 8 s, 8 s
  for (auto delay : {1, 2, 4, 8, 8}) {
    auto lists = f.calls->lists.size();
    f.list_failed(f.calls->lists.back(), errc::unavailable);
    f.advance(std::chrono::seconds{delay} - std::chrono::milliseconds{1});
    CHECK(f.calls->lists.size() == lists);
    f.advance(std::chrono::milliseconds{1});
    CHECK(f.calls->lists.size() == lists + 1);
  }
}

TEST_CASE("informer: a clean end after progress re-watches at once from the last RV (bookmarks count)",
          "[actors][kube][informer]") {
  informer_fixture f;
  f.sync({}, "5");
  auto g = f.watch_generation();
  f.events(g, {ev(watch_kind::added, pod("ns", "a", 6)), bookmark(20)});
  CHECK(f.inf.cache->resource_version() == "20");
  f.ended(g);
  REQUIRE(f.calls->watches.size() == 2);
  CHECK(f.watch_rv() == "20");
  CHECK(f.calls->lists.size() == 1);
}

TEST_CASE("informer: a clean end without progress re-watches after a backoff delay", "[actors][kube][informer]") {
  informer_fixture f;
  f.sync({}, "5");
  f.ended(f.watch_generation());
  CHECK(f.calls->watches.size() == 1);
  f.advance(std::chrono::seconds{1});
  REQUIRE(f.calls->watches.size() == 2);
  CHECK(f.watch_rv() == "5");
}

TEST_CASE("informer: answers for an old generation are ignored", "[actors][kube][informer]") {
  informer_fixture f;
  auto sub = f.subscribe();
  f.sync({pod("ns", "a", 1)}, "1");
  auto old = f.watch_generation();
  f.events(old, {ev(watch_kind::added, pod("ns", "b", 2))});
  f.ended(old);
  auto current = f.watch_generation();
  REQUIRE(current != old);
  sub.log->clear();
  f.events(old, {ev(watch_kind::added, pod("ns", "late", 3))});
  f.ended(old, make_error(errc::gone, "stale"));
  f.list(1, {}, "99");
  CHECK(sub.log->size() == 0);
  CHECK(f.calls->lists.size() == 1);
  CHECK(f.calls->watches.size() == 2);
  CHECK(f.inf.cache->get("ns/late").is_null());
  CHECK(f.calls->consumed == 2); // stale events still count for flow control
}

TEST_CASE("informer: resync re-delivers every cached object as updated(obj, obj)", "[actors][kube][informer]") {
  auto cfg = pods_config();
  cfg.resync_period = std::chrono::seconds{30};
  informer_fixture f{cfg};
  auto sub = f.subscribe();
  f.advance(std::chrono::seconds{30}); // before the first list: nothing to resync
  CHECK(sub.log->size() == 0);
  f.sync({pod("ns", "a", 1), pod("ns", "b", 2)}, "2");
  sub.log->clear();
  f.advance(std::chrono::seconds{30});
  auto events = sub.log->events();
  REQUIRE(events.size() == 2);
  CHECK(std::set<std::string>{describe(events[0]), describe(events[1])} ==
        std::set<std::string>{"updated ns/a@1->1 (resync)", "updated ns/b@2->2 (resync)"});
  CHECK(events[0].object == events[0].old_object);
  f.advance(std::chrono::seconds{30});
  CHECK(sub.log->size() == 4);
}

TEST_CASE("informer: get and index requests answer from the cache", "[actors][kube][informer]") {
  informer_fixture f;
  f.sync({pod("ns", "a", 1, "", "n1"), pod("ns", "b", 2, "", "n2"), pod("other", "c", 3, "", "n1")}, "3");
  CHECK(f.ask<kube_object>(informer_get_atom_v, std::string{"ns/b"}).resource_version() == "2");
  CHECK(f.ask<kube_object>(informer_get_atom_v, std::string{"ns/zz"}).is_null());
  auto on_n1 = f.ask<std::vector<kube_object>>(informer_index_atom_v, std::string{"node"}, std::string{"n1"});
  REQUIRE(on_n1.size() == 2);
  CHECK(on_n1[0].key() == "ns/a");
  CHECK(on_n1[1].key() == "other/c");
  CHECK(f.inf.cache->by_index("namespace", "other").size() == 1);
  // An unknown index is an error, not an empty answer.
  caf::scoped_actor self{f.sys};
  self->send(f.inf.actor, informer_index_atom_v, std::string{"nope"}, std::string{"x"});
  f.run();
  bool failed = false;
  self->receive([&](caf::error& e) { failed = from_caf_error(e) == errc::invalid_argument; },
                [](std::vector<kube_object>&) {}, caf::after(std::chrono::seconds{0}) >> [] {});
  CHECK(failed);
}

TEST_CASE("informer: a relist turns a re-created object into deleted + added", "[actors][kube][informer]") {
  informer_fixture f;
  auto sub = f.subscribe();
  f.sync({pod("ns", "a", 1, "first")}, "1");
  sub.log->clear();
  f.ended(f.watch_generation(), make_error(errc::unavailable, "eof"));
  f.advance(std::chrono::seconds{1});
  f.list(f.calls->lists.back(), {pod("ns", "a", 9, "second")}, "9");
  CHECK(describe(sub.log->events()) == strings{"deleted ns/a@1 (unknown)", "added ns/a@9"});
}

TEST_CASE("informer: subscribers that terminate or unsubscribe are dropped", "[actors][kube][informer]") {
  informer_fixture f;
  auto a = f.subscribe();
  auto b = f.subscribe();
  f.sync({}, "1");
  CHECK(f.ask<informer_stats>(informer_stats_atom_v).subscribers == 2);
  caf::anon_send_exit(a.handle, caf::exit_reason::user_shutdown);
  f.run();
  CHECK(f.ask<informer_stats>(informer_stats_atom_v).subscribers == 1);
  caf::anon_send(f.inf.actor, informer_unsubscribe_atom_v, b.handle);
  f.run();
  CHECK(f.ask<informer_stats>(informer_stats_atom_v).subscribers == 0);
  b.log->clear();
  f.events(f.watch_generation(), {ev(watch_kind::added, pod("ns", "x", 2))});
  CHECK(b.log->size() == 0);
}

TEST_CASE("informer: re-subscribing starts over with a replay", "[actors][kube][informer]") {
  informer_fixture f;
  auto sub = f.subscribe(false, 1);
  f.sync({pod("ns", "a", 1), pod("ns", "b", 2)}, "2");
  CHECK(describe(sub.log->events()) == strings{"added ns/a@1"});
  caf::anon_send(f.inf.actor, informer_subscribe_atom_v, sub.handle, std::uint32_t{10});
  f.run();
  CHECK(describe(sub.log->events()) == strings{"added ns/a@1", "added ns/a@1", "added ns/b@2", "synced"});
  CHECK(sub.log->events()[1].seq == 1);
}

namespace {

/// A pod with bulk (a container environment) and bookkeeping (managedFields) that the
/// transform below drops.
kube_object bulky_pod(const std::string& name, std::uint64_t rv, const std::string& node) {
  auto j = test::pod_json("ns", name, rv, {}, node);
  j["metadata"]["managedFields"] = nlohmann::json::array({{{"manager", "kubectl"}}});
  j["spec"]["containers"] = {{{"name", "c"}, {"env", {{{"name", "BIG"}, {"value", std::string(4096, 'x')}}}}}};
  return kube_object{std::move(j)};
}

/// Drops metadata.managedFields and spec.containers, and moves spec.nodeName to
/// spec.host (so that a test sees the index computed on the transformed object).
void slim(nlohmann::json& pod) {
  actors::kube::strip_managed_fields(pod);
  auto& spec = pod["spec"];
  spec.erase("containers");
  if (spec.contains("nodeName")) {
    spec["host"] = spec["nodeName"];
    spec.erase("nodeName");
  }
}

bool slimmed(const kube_object& o) {
  return o && !o->at("metadata").contains("managedFields") && !o->at("spec").contains("containers");
}

} // namespace

TEST_CASE("informer: a transform applies before caching, indexing and delivery (list, watch, delete)",
          "[actors][kube][informer][transform]") {
  auto cfg = pods_config();
  cfg.transform = slim;
  cfg.indexes = {{"host", actors::kube::field_index("spec.host")}};
  informer_fixture f{cfg};
  auto sub = f.subscribe();
  f.sync({bulky_pod("a", 5, "n1")}, "5");
  auto a = f.inf.cache->get("ns/a");
  REQUIRE(a);
  CHECK(slimmed(a));
  CHECK(a.resource_version() == "5");
  CHECK(f.inf.cache->keys_by_index("host", "n1") == strings{"ns/a"});

  auto g = f.watch_generation();
  f.events(g, {ev(watch_kind::added, bulky_pod("b", 6, "n2")), ev(watch_kind::modified, bulky_pod("a", 7, "n2")),
               bookmark(8)});
  CHECK(slimmed(f.inf.cache->get("ns/b")));
  CHECK(slimmed(f.inf.cache->get("ns/a")));
  CHECK(f.inf.cache->keys_by_index("host", "n2") == strings{"ns/a", "ns/b"});
  CHECK(f.inf.cache->resource_version() == "8");
  f.events(g, {ev(watch_kind::deleted, bulky_pod("b", 9, "n2"))});
  CHECK_FALSE(f.inf.cache->get("ns/b"));

  auto events = sub.log->events();
  CHECK(describe(events) == strings{"added ns/a@5", "synced", "added ns/b@6", "updated ns/a@5->7", "deleted ns/b@9"});
  for (const auto& e : events) {
    if (e.kind == informer_event_kind::synced)
      continue;
    CHECK(slimmed(e.object));
    if (e.old_object)
      CHECK(slimmed(e.old_object));
  }
}

TEST_CASE("informer: a transform that throws leaves the object cached as far as it got",
          "[actors][kube][informer][transform]") {
  auto cfg = pods_config();
  cfg.transform = [](nlohmann::json& pod) {
    pod["metadata"].erase("managedFields");
    (void)pod.at("spec").at("missing"); // throws
  };
  informer_fixture f{cfg};
  auto sub = f.subscribe();
  f.sync({bulky_pod("a", 5, "n1")}, "5");
  auto a = f.inf.cache->get("ns/a");
  REQUIRE(a);
  CHECK_FALSE(a->at("metadata").contains("managedFields"));
  CHECK(a->at("spec").contains("containers"));
  CHECK(describe(sub.log->events()) == strings{"added ns/a@5", "synced"});
}

TEST_CASE("informer: without a transform the source's objects are cached as they are (shared, not copied)",
          "[actors][kube][informer][transform]") {
  informer_fixture f;
  auto original = bulky_pod("a", 5, "n1");
  f.sync({original}, "5");
  CHECK(f.inf.cache->get("ns/a") == original);
}
