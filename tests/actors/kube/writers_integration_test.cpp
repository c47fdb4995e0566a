// Status writers and leader election against the real embedded API server over HTTPS, on
// a real multi-threaded actor system with the detached executor.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "actors/kube/event_recorder.hpp"
#include "actors/kube/informer.hpp"
#include "actors/kube/leader_elector.hpp"
#include "actors/kube/lease_record.hpp"
#include "actors/kube/status_writer.hpp"
#include "tests/actors/kube/server_env.hpp"
#include "tests/actors/kube/test_support.hpp"

using namespace podvisor;
using namespace podvisor::protocols;

namespace {

const auto vmis = podvisor::kube::client::resources::virtual_machine_instances();
const auto leases = podvisor::kube::client::resources::leases();

nlohmann::json vmi(const std::string& name) {
  return {{"apiVersion", "kubevirt.io/v1"},
          {"kind", "VirtualMachineInstance"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"domain",
             {{"resources", {{"requests", {{"memory", "128Mi"}}}}}, {"devices", nlohmann::json::object()}}}}}};
}

status_change add_condition(const std::string& type) {
  return actors::kube::mutate_status("default", "web", [type](nlohmann::json& object) -> error {
    auto& conditions = object["status"]["conditions"];
    if (!conditions.is_array())
      conditions = nlohmann::json::array();
    conditions.push_back({{"type", type}, {"status", "True"}});
    return {};
  });
}

/// Leadership changes seen by one replica, with their arrival times.
class leadership_log {
public:
  void add(const leadership_changed& c) {
    std::lock_guard lock{mutex_};
    seen_.push_back({c, std::chrono::steady_clock::now()});
    changed_.notify_all();
  }

  /// Waits until the latest change says `leader`; the time it arrived, or nothing.
  std::optional<std::chrono::steady_clock::time_point> wait_for(bool leader,
                                                                std::chrono::milliseconds timeout = std::chrono::seconds{30}) {
    std::unique_lock lock{mutex_};
    if (!changed_.wait_for(lock, timeout, [&] { return !seen_.empty() && seen_.back().first.leader == leader; }))
      return std::nullopt;
    return seen_.back().second;
  }

  std::size_t size() const {
    std::lock_guard lock{mutex_};
    return seen_.size();
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<leadership_changed, std::chrono::steady_clock::time_point>> seen_;
};

leadership_subscriber_actor::behavior_type leadership_recorder(leadership_subscriber_actor::pointer,
                                                               std::shared_ptr<leadership_log> log) {
  return {[log](const leadership_changed& c) { log->add(c); }};
}

struct replica {
  leader_elector_actor elector;
  std::shared_ptr<leadership_log> log;
};

replica start_replica(test::threaded_system& ts, test::kube_server& server, const std::string& identity,
                      std::chrono::seconds lease_duration, std::chrono::milliseconds retry) {
  actors::kube::leader_elector_config cfg;
  cfg.lease_namespace = "default";
  cfg.lease_name = "podvisor-controller";
  cfg.identity = identity;
  cfg.lease_duration = lease_duration;
  cfg.renew_deadline = lease_duration * 3 / 4;
  cfg.retry_period = retry;
  auto log = std::make_shared<leadership_log>();
  auto subscriber = ts.keep(ts.sys.spawn(leadership_recorder, log));
  auto elector = ts.keep(actors::kube::spawn_leader_elector(ts.sys, cfg, server.client(),
                                                            actors::kube::make_detached_executor(ts.sys, 1),
                                                            subscriber));
  return {elector, log};
}

} // namespace

TEST_CASE("two status writers racing on one object: both writers' changes end up applied",
          "[actors][kube][status_writer][integration]") {
  test::kube_server server;
  test::threaded_system ts;
  auto setup = server.client();
  REQUIRE(setup->create(vmis, "default", vmi("web")));

  actors::kube::status_writer_config cfg;
  cfg.resource = vmis;
  cfg.max_attempts = 50;
  cfg.backoff = {std::chrono::milliseconds{1}, std::chrono::milliseconds{50}, 2.0, 1.0};
  auto a = ts.keep(
    actors::kube::spawn_status_writer(ts.sys, cfg, server.client(), actors::kube::make_detached_executor(ts.sys, 2)));
  auto b = ts.keep(
    actors::kube::spawn_status_writer(ts.sys, cfg, server.client(), actors::kube::make_detached_executor(ts.sys, 2)));

  caf::scoped_actor self{ts.sys};
  constexpr int per_writer = 20;
  for (int i = 0; i < per_writer; ++i) {
    self->send(a, add_condition("A" + std::to_string(i)));
    self->send(b, add_condition("B" + std::to_string(i)));
  }
  int ok = 0;
  int failed = 0;
  for (int i = 0; i < 2 * per_writer; ++i)
    self->receive([&](kube_object&) { ++ok; }, [&](caf::error&) { ++failed; },
                  caf::after(std::chrono::seconds{30}) >> [&] { ++failed; });
  CHECK(ok == 2 * per_writer);
  CHECK(failed == 0);

  auto final_vmi = setup->get(vmis, "default", "web");
  REQUIRE(final_vmi);
  std::set<std::string> types;
  for (const auto& c : (*final_vmi)["status"]["conditions"])
    types.insert(c["type"].get<std::string>());
  CHECK(types.size() == 2 * per_writer);
  CHECK(types.count("A0") == 1);
  CHECK(types.count("B19") == 1);
}

TEST_CASE("leader election hands over within the lease duration when the leader stops without releasing",
          "[actors][kube][leader_elector][integration]") {
  test::kube_server server;
  test::threaded_system ts;
  constexpr auto lease_duration = std::chrono::seconds{2};
  constexpr auto retry = std::chrono::milliseconds{200};
  auto a = start_replica(ts, server, "replica-a", lease_duration, retry);
  REQUIRE(a.log->wait_for(true));
  auto b = start_replica(ts, server, "replica-b", lease_duration, retry);

  // b keeps trying while a renews.
  auto check = server.client();
  auto lease = check->get(leases, "default", "podvisor-controller");
  REQUIRE(lease);
  CHECK(actors::kube::read_lease_record(*lease).holder == "replica-a");
  CHECK_FALSE(b.log->wait_for(true, std::chrono::milliseconds{2 * lease_duration}));

  auto stopped = std::chrono::steady_clock::now();
  caf::anon_send_exit(a.elector, caf::exit_reason::kill); // no release
  auto took_over = b.log->wait_for(true);
  REQUIRE(took_over);
  // b saw a's last renewal at most one retry period late, then waited one lease duration
  // and acquired on its next try: lease duration + two retry periods, plus request time.
  auto handover = *took_over - stopped;
  CHECK(handover <= lease_duration + 2 * retry + std::chrono::milliseconds{800});
  CHECK(handover >= lease_duration - retry);
  auto rec = actors::kube::read_lease_record(*check->get(leases, "default", "podvisor-controller"));
  CHECK(rec.holder == "replica-b");
  CHECK(rec.transitions == 1);
  CHECK(rec.lease_duration_seconds == 2);
}

TEST_CASE("leader election: a released lease is taken over at once", "[actors][kube][leader_elector][integration]") {
  test::kube_server server;
  test::threaded_system ts;
  constexpr auto lease_duration = std::chrono::seconds{10};
  constexpr auto retry = std::chrono::milliseconds{200};
  auto a = start_replica(ts, server, "replica-a", lease_duration, retry);
  REQUIRE(a.log->wait_for(true));
  auto b = start_replica(ts, server, "replica-b", lease_duration, retry);

  caf::scoped_actor self{ts.sys};
  bool released = false;
  auto asked = std::chrono::steady_clock::now();
  self->request(a.elector, std::chrono::seconds{10}, leader_release_atom_v)
    .receive([&](bool r) { released = r; }, [](caf::error&) {});
  CHECK(released);
  CHECK(a.log->wait_for(false));
  auto took_over = b.log->wait_for(true);
  REQUIRE(took_over);
  CHECK(*took_over - asked < lease_duration / 2);
}

TEST_CASE("the event recorder aggregates repeats on the real server", "[actors][kube][event_recorder][integration]") {
  test::kube_server server;
  test::threaded_system ts;
  auto client = server.client();
  auto created = client->create(vmis, "default", vmi("web"));
  REQUIRE(created);
  actors::kube::event_recorder_config cfg;
  cfg.component = "podvisor-test";
  auto recorder = ts.keep(
    actors::kube::spawn_event_recorder(ts.sys, cfg, server.client(), actors::kube::make_detached_executor(ts.sys, 1)));
  auto ref = reference_to(kube_object{*created}, "kubevirt.io/v1", "VirtualMachineInstance");
  for (int i = 0; i < 5; ++i)
    caf::anon_send(recorder, event_record{ref, "Warning", "SyncFailed", "cannot sync"});
  caf::anon_send(recorder, event_record{ref, "Normal", "Started", "started"});

  // Watch the Events with an informer: wait until the repeats are counted in one Event.
  actors::kube::informer_config watch_events;
  watch_events.resource = podvisor::kube::client::resources::events();
  watch_events.namespace_ = "default";
  watch_events.field_selector = "reason=SyncFailed";
  auto events = actors::kube::spawn_informer(ts.sys, watch_events, server.client());
  ts.keep(events.actor);
  auto log = std::make_shared<test::event_log>();
  log->informer = events.actor;
  auto sub = ts.keep(ts.sys.spawn(test::recording_subscriber, log));
  caf::anon_send(events.actor, informer_subscribe_atom_v, sub, std::uint32_t{0});
  // Any event may carry the final count: when the list already sees it, the last event
  // is the `synced` signal (no object), not the Event's.
  CHECK(log->wait_for([](const std::vector<informer_event>& seen) {
    return std::any_of(seen.begin(), seen.end(), [](const informer_event& e) {
      return e.object && e.object->value("count", 0) == 5;
    });
  }));
  CHECK(events.cache->size() == 1);
  auto all = client->list(podvisor::kube::client::resources::events(), "default", {});
  REQUIRE(all);
  CHECK(all->items.size() == 2);
}
