// The informer with its real source (a detached helper calling api_client) against the
// in-memory fake, on a real multi-threaded actor system: the list/watch cycle end to end,
// including a forced 410 and a broken stream. Waits are on conditions, with timeouts.

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "actors/kube/informer.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using namespace podvisor::protocols;
using fakes::fake_api_client;
using verb = fake_api_client::verb;
using test::describe;
using test::no_duplicates;
using test::replay;

namespace {

const auto pods = podvisor::kube::client::resources::pods();

std::map<std::string, std::string> server_state(const fake_api_client& client) {
  std::map<std::string, std::string> state;
  for (const auto& o : client.objects(pods))
    state[o["metadata"]["namespace"].get<std::string>() + "/" + o["metadata"]["name"].get<std::string>()] =
      o["metadata"]["resourceVersion"].get<std::string>();
  return state;
}

nlohmann::json new_pod(const std::string& name, const std::string& node = "n1") {
  return {{"metadata", {{"name", name}, {"namespace", "ns"}}}, {"spec", {{"nodeName", node}}}};
}

/// Changes spec.value of a pod; true when written. (No Catch2 assertions inside: hooks
/// call it from the informer's helper thread.)
bool touch(fake_api_client& client, const std::string& name, int value) {
  auto pod = client.get(pods, "ns", name);
  if (!pod)
    return false;
  (*pod)["spec"]["value"] = value;
  return static_cast<bool>(client.update(pods, *pod));
}

struct live_informer {
  test::threaded_system ts;
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  actors::kube::informer_handle inf;
  std::shared_ptr<test::event_log> log = std::make_shared<test::event_log>();

  explicit live_informer(actors::kube::object_transform transform = nullptr) {
    for (const char* name : {"a", "b", "c"})
      REQUIRE(client->create(pods, "ns", new_pod(name)));
    actors::kube::informer_config cfg;
    cfg.resource = pods;
    cfg.transform = std::move(transform);
    cfg.backoff = {std::chrono::milliseconds{5}, std::chrono::milliseconds{50}, 2.0, 0.5};
    inf = actors::kube::spawn_informer(ts.sys, cfg, client);
    ts.keep(inf.actor);
    log->informer = inf.actor;
    auto sub = ts.keep(ts.sys.spawn(test::recording_subscriber, log));
    caf::anon_send(inf.actor, informer_subscribe_atom_v, sub, std::uint32_t{0});
  }

  /// Waits for the synced event.
  bool synced() {
    return log->wait_for([](const auto& events) {
      return std::any_of(events.begin(), events.end(),
                         [](const informer_event& e) { return e.kind == informer_event_kind::synced; });
    });
  }

  /// Waits until replaying the events gives the server's state.
  bool converged() {
    auto expected = server_state(*client);
    return log->wait_for([&](const auto& events) { return replay(events) == expected; });
  }

  informer_stats stats() {
    caf::scoped_actor self{ts.sys};
    informer_stats result;
    self->request(inf.actor, std::chrono::seconds{10}, informer_stats_atom_v)
      .receive([&](informer_stats& s) { result = s; }, [](caf::error&) { FAIL("no stats"); });
    return result;
  }
};

} // namespace

TEST_CASE("api source: the informer syncs, follows changes, and converges after a forced 410",
          "[actors][kube][informer][threads]") {
  live_informer f;
  REQUIRE(f.synced());
  REQUIRE(f.client->wait_for_watches(1, std::chrono::seconds{20}));
  CHECK(f.log->size() == 4);

  REQUIRE(touch(*f.client, "b", 1));
  REQUIRE(f.client->remove(pods, "ns", "c", {}));
  REQUIRE(f.client->create(pods, "ns", new_pod("d")));
  REQUIRE(f.converged());
  auto before = f.log->size();
  CHECK(describe(f.log->events()).back() == "added ns/d@6");

  // The watch is cut; while it is down, many writes go by and the history keeps only
  // three events, so the re-watch from the last seen version gets 410.
  f.client->set_history_limit(3);
  std::atomic<bool> once{false};
  std::atomic<int> written{0};
  auto* client = f.client.get();
  f.client->on_call(verb::watch, [&once, &written, client] {
    if (once.exchange(true))
      return;
    for (int i = 0; i < 5; ++i)
      written += touch(*client, "a", i) ? 1 : 0;
    written += client->remove(pods, "ns", "b", {}) ? 1 : 0;
    written += client->create(pods, "ns", new_pod("e")) ? 1 : 0;
    written += client->create(pods, "ns", new_pod("f")) ? 1 : 0;
  });
  f.client->end_watches();
  REQUIRE(f.log->wait_for([&](const auto& evs) { return written.load() == 8 && replay(evs) == server_state(*client); }));
  f.client->on_call(verb::watch, {});
  auto events = f.log->events();
  std::vector<informer_event> after(events.begin() + static_cast<std::ptrdiff_t>(before), events.end());
  // Only the differences: a once (coalesced by the relist), b deleted, e and f added; d
  // (unchanged) not again.
  CHECK(describe(after) == std::vector<std::string>{"updated ns/a@1->11", "added ns/e@13", "added ns/f@14",
                                                    "deleted ns/b@4 (unknown)"});
  CHECK(no_duplicates(events));
  CHECK(test::consistent_per_key(events));
  auto stats = f.stats();
  CHECK(stats.lists == 2);
  CHECK(stats.synced);
  CHECK(f.inf.cache->size() == 4);
}

TEST_CASE("api source: a broken stream relists without re-announcing unchanged objects",
          "[actors][kube][informer][threads]") {
  live_informer f;
  REQUIRE(f.synced());
  REQUIRE(f.client->wait_for_watches(1, std::chrono::seconds{20}));
  auto before = f.log->size();
  f.client->end_watches({errc::unavailable, "connection reset"});
  // The informer relists (after a short backoff): from then on, the old watch is over.
  REQUIRE(f.client->wait_for_calls(verb::list, 2, std::chrono::seconds{20}));
  REQUIRE(touch(*f.client, "a", 42));
  REQUIRE(f.converged());
  auto events = f.log->events();
  CHECK(events.size() == before + 1);
  CHECK(describe(events.back()) == "updated ns/a@1->4");
  CHECK(f.stats().lists >= 2);
}

TEST_CASE("api source: stopping the informer ends its running watch", "[actors][kube][informer][threads]") {
  live_informer f;
  REQUIRE(f.synced());
  REQUIRE(f.client->wait_for_watches(1, std::chrono::seconds{20}));
  caf::anon_send_exit(f.inf.actor, caf::exit_reason::user_shutdown);
  CHECK(f.client->wait_for_no_watches(std::chrono::seconds{20}));
}

TEST_CASE("api source: the transform runs on every listed and watched object, the server keeps everything",
          "[actors][kube][informer][threads][transform]") {
  // Drops spec.value (what touch() writes) and metadata.managedFields.
  std::atomic<int> transformed{0};
  live_informer f{[&transformed](nlohmann::json& pod) {
    actors::kube::strip_managed_fields(pod);
    pod["spec"].erase("value");
    ++transformed;
  }};
  REQUIRE(f.synced());
  CHECK(transformed == 3);
  REQUIRE(f.client->wait_for_watches(1, std::chrono::seconds{20}));
  auto with_bookkeeping = new_pod("d");
  with_bookkeeping["metadata"]["managedFields"] = nlohmann::json::array({{{"manager", "test"}}});
  REQUIRE(f.client->create(pods, "ns", with_bookkeeping));
  REQUIRE(touch(*f.client, "a", 7));
  REQUIRE(f.client->remove(pods, "ns", "b", {}));
  REQUIRE(f.converged());
  CHECK(transformed == 6); // d added, a modified, b deleted

  for (const auto& key : {"ns/a", "ns/c", "ns/d"}) {
    auto cached = f.inf.cache->get(key);
    REQUIRE(cached);
    CHECK_FALSE(cached->at("metadata").contains("managedFields"));
    CHECK_FALSE(cached->at("spec").contains("value"));
    CHECK(cached->at("spec").at("nodeName") == "n1");
  }
  for (const auto& e : f.log->events())
    if (e.object)
      CHECK_FALSE(e.object->at("spec").contains("value"));
  // The cache is a view: the server's objects are untouched.
  auto a = f.client->get(pods, "ns", "a");
  REQUIRE(a);
  CHECK((*a)["spec"]["value"] == 7);
  auto d = f.client->get(pods, "ns", "d");
  REQUIRE(d);
  CHECK((*d)["metadata"].contains("managedFields"));
}
