// Leader election on a Lease in the in-memory fake, with the test coordinator's clock
// for timers and a manual wall clock for the timestamps written into the lease; both are
// moved together.

#include "actors/kube/leader_elector.hpp"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "actors/kube/lease_record.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using namespace podvisor::protocols;
using actors::kube::lease_record;
using actors::kube::read_lease_record;
using fakes::fake_api_client;
using verb = fake_api_client::verb;

namespace {

using changes = std::vector<std::string>;

struct leadership_log {
  changes seen; // "leader a", "follower b", ...
};

leadership_subscriber_actor::behavior_type recording_leadership(leadership_subscriber_actor::pointer,
                                                                std::shared_ptr<leadership_log> log) {
  return {
    [log](const leadership_changed& c) { log->seen.push_back((c.leader ? "leader " : "follower ") + c.holder); },
  };
}

struct elector_fixture : test::deterministic_system {
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  podvisor::manual_clock wall;

  struct candidate {
    leader_elector_actor actor;
    std::shared_ptr<leadership_log> log;
  };

  candidate spawn(const std::string& identity) {
    actors::kube::leader_elector_config cfg;
    cfg.lease_namespace = "kubevirt";
    cfg.lease_name = "podvisor-controller";
    cfg.identity = identity;
    cfg.lease_duration = std::chrono::seconds{15};
    cfg.renew_deadline = std::chrono::seconds{10};
    cfg.retry_period = std::chrono::seconds{2};
    cfg.clock = &wall;
    auto log = std::make_shared<leadership_log>();
    auto subscriber = keep(sys.spawn(recording_leadership, log));
    auto actor = keep(
      actors::kube::spawn_leader_elector(sys, cfg, client, actors::kube::make_inline_executor(), subscriber));
    run();
    return {actor, log};
  }

  /// Moves both clocks by `d` in retry-period steps, so that every tick fires.
  void elapse(std::chrono::seconds d) {
    for (auto step = std::chrono::seconds{0}; step < d; step += std::chrono::seconds{1}) {
      wall.advance(std::chrono::seconds{1});
      advance(std::chrono::seconds{1});
    }
  }

  nlohmann::json lease() {
    return *client->get(podvisor::kube::client::resources::leases(), "kubevirt", "podvisor-controller");
  }

  lease_record record() { return read_lease_record(lease()); }

  template <class T, class... Ts>
  caf::expected<T> ask(const leader_elector_actor& whom, Ts... xs) {
    caf::scoped_actor self{sys};
    self->send(whom, xs...);
    run();
    caf::expected<T> result{caf::error{}};
    self->receive([&](T& x) { result = std::move(x); }, [&](caf::error& e) { result = std::move(e); },
                  caf::after(std::chrono::seconds{0}) >> [] {});
    return result;
  }
};

} // namespace

TEST_CASE("leader_elector: acquires a missing lease at once", "[actors][kube][leader_elector]") {
  elector_fixture f;
  auto a = f.spawn("a");
  CHECK(a.log->seen == changes{"leader a"});
  auto rec = f.record();
  CHECK(rec.holder == "a");
  CHECK(rec.lease_duration_seconds == 15);
  CHECK(rec.transitions == 0);
  CHECK(rec.acquire_time == "2024-01-01T00:00:00.000000Z");
  CHECK(rec.renew_time == rec.acquire_time);
  auto status = f.ask<leadership_changed>(a.actor, leader_status_atom_v);
  REQUIRE(status);
  CHECK(status->leader);
}

TEST_CASE("leader_elector: renews every retry period, keeping acquireTime and transitions",
          "[actors][kube][leader_elector]") {
  elector_fixture f;
  auto a = f.spawn("a");
  f.elapse(std::chrono::seconds{2});
  auto rec = f.record();
  CHECK(rec.renew_time == "2024-01-01T00:00:02.000000Z");
  CHECK(rec.acquire_time == "2024-01-01T00:00:00.000000Z");
  CHECK(rec.transitions == 0);
  f.elapse(std::chrono::seconds{2});
  CHECK(f.record().renew_time == "2024-01-01T00:00:04.000000Z");
  CHECK(a.log->seen == changes{"leader a"});
}

TEST_CASE("leader_elector: a candidate waits while the leader renews, and takes over one lease duration "
          "after the leader stopped without releasing",
          "[actors][kube][leader_elector]") {
  elector_fixture f;
  auto a = f.spawn("a");
  auto b = f.spawn("b");
  f.elapse(std::chrono::seconds{30});
  CHECK(b.log->seen.empty());
  CHECK(f.record().holder == "a");

  caf::anon_send_exit(a.actor, caf::exit_reason::kill); // no release
  f.run();
  // a's last renewal was at t=30; b sees it at t=30 or, at the latest, on its next tick,
  // and then needs 15 s without a change: it leads after 15 s plus at most two ticks.
  f.elapse(std::chrono::seconds{14});
  CHECK(b.log->seen.empty());
  f.elapse(std::chrono::seconds{4});
  CHECK(b.log->seen == changes{"leader b"});
  auto rec = f.record();
  CHECK(rec.holder == "b");
  CHECK(rec.transitions == 1);
  CHECK(rec.acquire_time >= "2024-01-01T00:00:46.000000Z");
}

TEST_CASE("leader_elector: steps down when renewals fail for longer than the renew deadline, then competes again",
          "[actors][kube][leader_elector]") {
  elector_fixture f;
  auto a = f.spawn("a");
  f.client->fail_next(verb::update, {errc::unavailable, "apiserver down"}, 6);
  f.elapse(std::chrono::seconds{10}); // failures at 2, 4, 6, 8, 10: within the deadline
  CHECK(a.log->seen == changes{"leader a"});
  f.elapse(std::chrono::seconds{2}); // t=12: 12 s since the last renewal
  CHECK(a.log->seen == changes{"leader a", "follower a"});
  f.elapse(std::chrono::seconds{2}); // the server is back: the lease is still ours to renew
  CHECK(a.log->seen == changes{"leader a", "follower a", "leader a"});
  CHECK(f.record().transitions == 0);
}

TEST_CASE("leader_elector: release clears the holder and another replica takes over at once",
          "[actors][kube][leader_elector]") {
  elector_fixture f;
  auto a = f.spawn("a");
  auto b = f.spawn("b");
  CHECK(b.log->seen.empty());
  auto released = f.ask<bool>(a.actor, leader_release_atom_v);
  REQUIRE(released);
  CHECK(*released);
  CHECK(a.log->seen == changes{"leader a", "follower "});
  auto rec = f.record();
  CHECK(rec.holder.empty());
  CHECK(rec.lease_duration_seconds == 1);
  f.elapse(std::chrono::seconds{2});
  CHECK(b.log->seen == changes{"leader b"});
  CHECK(f.record().transitions == 1);
}

TEST_CASE("leader_elector: release without leadership answers false", "[actors][kube][leader_elector]") {
  elector_fixture f;
  auto a = f.spawn("a");
  auto b = f.spawn("b");
  auto released = f.ask<bool>(b.actor, leader_release_atom_v);
  REQUIRE(released);
  CHECK_FALSE(*released);
  CHECK(f.record().holder == "a");
}

TEST_CASE("leader_elector: an abandoned lease of someone else is taken after its duration",
          "[actors][kube][leader_elector]") {
  elector_fixture f;
  auto lease = actors::kube::new_lease("kubevirt", "podvisor-controller", "zombie", std::chrono::seconds{15},
                                       f.wall.wall_now());
  lease["spec"]["leaseTransitions"] = 3;
  REQUIRE(f.client->create(podvisor::kube::client::resources::leases(), "kubevirt", lease));
  auto a = f.spawn("a");
  f.elapse(std::chrono::seconds{14});
  CHECK(a.log->seen.empty());
  f.elapse(std::chrono::seconds{2});
  CHECK(a.log->seen == changes{"leader a"});
  CHECK(f.record().transitions == 4);
}

TEST_CASE("lease_record: new, renewed, taken over and released leases", "[actors][kube][leader_elector]") {
  using namespace actors::kube;
  auto t0 = std::chrono::system_clock::time_point{} + std::chrono::seconds{1700000000};
  auto t1 = t0 + std::chrono::milliseconds{2500};
  auto lease = new_lease("ns", "l", "a", std::chrono::seconds{15}, t0);
  CHECK(lease["metadata"] == nlohmann::json{{"name", "l"}, {"namespace", "ns"}});
  CHECK(read_lease_record(lease) ==
        lease_record{"a", 15, "2023-11-14T22:13:20.000000Z", "2023-11-14T22:13:20.000000Z", 0});
  lease["metadata"]["resourceVersion"] = "5";

  auto renewed = take_lease(lease, "a", std::chrono::seconds{15}, t1);
  CHECK(read_lease_record(renewed) ==
        lease_record{"a", 15, "2023-11-14T22:13:20.000000Z", "2023-11-14T22:13:22.500000Z", 0});
  CHECK(renewed["metadata"]["resourceVersion"] == "5"); // optimistic concurrency

  auto taken = take_lease(renewed, "b", std::chrono::seconds{20}, t1);
  CHECK(read_lease_record(taken) ==
        lease_record{"b", 20, "2023-11-14T22:13:22.500000Z", "2023-11-14T22:13:22.500000Z", 1});

  auto released = release_lease(taken, t1);
  CHECK(read_lease_record(released) ==
        lease_record{"", 1, "2023-11-14T22:13:22.500000Z", "2023-11-14T22:13:22.500000Z", 1});
  CHECK(read_lease_record(nlohmann::json::object()) == lease_record{});
}
