// Informers against the real embedded API server over HTTPS (rest_client), on a real
// multi-threaded actor system: other clients' changes, a server restart on the same data
// directory and port, a forced 410 while the watch is cut, and label selectors. Every
// wait is on a condition with a timeout.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "actors/kube/informer.hpp"
#include "tests/actors/kube/server_env.hpp"
#include "tests/actors/kube/test_support.hpp"

using namespace podvisor;
using namespace podvisor::protocols;
using test::consistent_per_key;
using test::describe;
using test::no_duplicates;
using test::replay;

namespace {

const auto config_maps = podvisor::kube::client::resources::config_maps();

nlohmann::json config_map(const std::string& name, int value = 0, const std::string& group = "a") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"group", group}}}}},
          {"data", {{"value", std::to_string(value)}}}};
}

/// Sets data.value (and the group label) of a config map through `client`.
void write(podvisor::kube::client::api_client& client, const std::string& name, int value,
           const std::string& group = "a") {
  auto current = client.get(config_maps, "default", name);
  REQUIRE(current);
  (*current)["data"]["value"] = std::to_string(value);
  (*current)["metadata"]["labels"]["group"] = group;
  auto updated = client.update(config_maps, *current);
  REQUIRE(updated);
}

void create(podvisor::kube::client::api_client& client, const std::string& name, const std::string& group = "a") {
  auto created = client.create(config_maps, "default", config_map(name, 0, group));
  REQUIRE(created);
}

void remove(podvisor::kube::client::api_client& client, const std::string& name) {
  auto removed = client.remove(config_maps, "default", name, {});
  REQUIRE(removed);
}

/// key → resourceVersion of the server's config maps (matching `labels`).
std::map<std::string, std::string> server_state(podvisor::kube::client::api_client& client,
                                                const std::string& labels = {}) {
  podvisor::kube::client::list_options options;
  options.label_selector = labels;
  auto listed = client.list(config_maps, "default", options);
  REQUIRE(listed);
  std::map<std::string, std::string> state;
  for (const auto& item : listed->items)
    state["default/" + item["metadata"]["name"].get<std::string>()] =
      item["metadata"]["resourceVersion"].get<std::string>();
  return state;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines)
    out += line + "\n";
  return out;
}

struct bridge {
  test::kube_server server;
  test::threaded_system ts;
  std::shared_ptr<podvisor::kube::client::rest_client> writer = server.client();
  actors::kube::informer_handle inf;
  std::shared_ptr<test::event_log> log = std::make_shared<test::event_log>();

  explicit bridge(std::size_t history_size = 10'000) : server(history_size) {}

  void start_informer(std::shared_ptr<podvisor::kube::client::api_client> client, const std::string& labels = {}) {
    actors::kube::informer_config cfg;
    cfg.resource = config_maps;
    cfg.namespace_ = "default";
    cfg.label_selector = labels;
    cfg.backoff = {std::chrono::milliseconds{50}, std::chrono::milliseconds{500}, 2.0, 0.5};
    inf = actors::kube::spawn_informer(ts.sys, cfg, std::move(client));
    ts.keep(inf.actor);
    log->informer = inf.actor;
    auto sub = ts.keep(ts.sys.spawn(test::recording_subscriber, log));
    caf::anon_send(inf.actor, informer_subscribe_atom_v, sub, std::uint32_t{0});
    REQUIRE(log->wait_for([](const auto& events) {
      return std::any_of(events.begin(), events.end(),
                         [](const informer_event& e) { return e.kind == informer_event_kind::synced; });
    }));
  }

  /// Waits until replaying the events gives the server's state.
  bool converged(const std::string& labels = {}) {
    auto expected = server_state(*writer, labels);
    return log->wait_for([&](const auto& events) { return replay(events) == expected; },
                         std::chrono::seconds{30});
  }

  informer_stats stats() {
    caf::scoped_actor self{ts.sys};
    informer_stats result;
    self->request(inf.actor, std::chrono::seconds{10}, informer_stats_atom_v)
      .receive([&](informer_stats& s) { result = s; }, [](caf::error&) { FAIL("no stats"); });
    return result;
  }

  std::vector<informer_event> events_since(std::size_t first) {
    auto events = log->events();
    return {events.begin() + static_cast<std::ptrdiff_t>(std::min(first, events.size())), events.end()};
  }
};

} // namespace

TEST_CASE("an informer sees every change other clients make", "[actors][kube][informer][integration]") {
  bridge b;
  for (int i = 0; i < 5; ++i)
    create(*b.writer, "pre-" + std::to_string(i));
  b.start_informer(b.server.client());
  CHECK(b.log->size() == 6); // five added, synced

  for (int i = 0; i < 30; ++i)
    create(*b.writer, "cm-" + std::to_string(i));
  for (int i = 0; i < 30; i += 3)
    write(*b.writer, "cm-" + std::to_string(i), i + 1); // a real change (a no-op update is no event)
  for (int i = 0; i < 30; i += 5)
    remove(*b.writer, "cm-" + std::to_string(i));
  remove(*b.writer, "pre-0");
  REQUIRE(b.converged());
  auto events = b.log->events();
  CHECK(no_duplicates(events));
  CHECK(consistent_per_key(events));
  // A subscriber that keeps up sees every change: 5 + 30 added, 10 updated, 7 deleted.
  INFO(join(describe(events)));
  CHECK(events.size() == 1 + 35 + 10 + 7);
  CHECK(b.inf.cache->size() == 35 - 7 + 0);
  CHECK(b.stats().lists == 1);
}

TEST_CASE("an informer converges after the server restarts on the same data dir and port",
          "[actors][kube][informer][integration]") {
  bridge b;
  for (int i = 0; i < 10; ++i)
    create(*b.writer, "cm-" + std::to_string(i));
  b.start_informer(b.server.client());
  write(*b.writer, "cm-1", 1);
  REQUIRE(b.converged());

  b.server.stop();
  b.server.start();
  write(*b.writer, "cm-2", 2);
  remove(*b.writer, "cm-3");
  create(*b.writer, "after-restart");
  REQUIRE(b.converged());
  auto events = b.log->events();
  CHECK(no_duplicates(events));
  CHECK(consistent_per_key(events));
  CHECK(b.inf.cache->size() == 10);
  CHECK(b.stats().lists >= 2);
}

TEST_CASE("an informer relists after a 410 and delivers only the differences",
          "[actors][kube][informer][integration]") {
  bridge b{/*history_size=*/20};
  for (int i = 0; i < 10; ++i)
    create(*b.writer, "cm-" + std::to_string(i));
  auto cuttable = std::make_shared<test::cuttable_client>(b.server.client());
  b.start_informer(cuttable);
  auto before = b.log->size();

  // Cut the watch; the informer's next watch is held while 37 writes go by, more than the
  // 20 events the server keeps, so it resumes from a forgotten version: 410.
  REQUIRE(cuttable->cut_and_hold());
  REQUIRE(cuttable->wait_held());
  for (int round = 1; round <= 5; ++round)
    for (int i = 0; i < 5; ++i)
      write(*b.writer, "cm-" + std::to_string(i), round);
  remove(*b.writer, "cm-5");
  remove(*b.writer, "cm-6");
  for (int i = 0; i < 10; ++i)
    create(*b.writer, "new-" + std::to_string(i));
  cuttable->release();

  REQUIRE(b.converged());
  auto after = b.events_since(before);
  std::set<std::string> keys;
  for (const auto& e : after)
    keys.insert(describe(e));
  // One event per changed key: 5 updated, 2 deleted, 10 added; cm-7..9 unchanged, silent.
  CHECK(after.size() == 17);
  CHECK(keys.size() == 17);
  for (const auto& e : after)
    CHECK((e.key.rfind("default/cm-", 0) != 0 || e.key < "default/cm-7"));
  CHECK(no_duplicates(b.log->events()));
  CHECK(consistent_per_key(b.log->events()));
  CHECK(b.stats().lists == 2);
}

TEST_CASE("a label-selected informer sees objects enter and leave its selection",
          "[actors][kube][informer][integration]") {
  bridge b;
  create(*b.writer, "in", "a");
  create(*b.writer, "out", "b");
  b.start_informer(b.server.client(), "group=a");
  CHECK(describe(b.log->events()).front().rfind("added default/in@", 0) == 0);
  write(*b.writer, "out", 1, "a"); // enters
  write(*b.writer, "in", 1, "b");  // leaves
  REQUIRE(b.converged("group=a"));
  CHECK(b.inf.cache->get("default/out"));
  CHECK_FALSE(b.inf.cache->get("default/in"));
  CHECK(consistent_per_key(b.log->events()));
}
