// The podlet's actors under CAF's test coordinator: the node agent against the in-memory
// fake API client, and the pod manager with the fake pod runtime, API and runtime calls
// run inline. The test plays the informer: it sends the manager the events an informer
// on spec.nodeName=<node> would deliver.

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "actors/kube/event_recorder.hpp"
#include "actors/kube/status_writer.hpp"
#include "actors/podlet/node_agent.hpp"
#include "actors/podlet/pod_manager.hpp"
#include "common/clock.hpp"
#include "kube/client/resource.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"
#include "tests/fakes/fake_pod_runtime.hpp"

using namespace podvisor;
using namespace podvisor::protocols;
using fakes::fake_api_client;
using fakes::fake_pod_runtime;
using nlohmann::json;
namespace resources = podvisor::kube::client::resources;

namespace {

/// Stands in for the informer: takes the subscription and the acknowledgements.
struct informer_stub_state {
  int subscriptions = 0;
};

caf::behavior informer_stub(caf::stateful_actor<informer_stub_state>* self) {
  return {
    [self](informer_subscribe_atom, const informer_subscriber_actor&, std::uint32_t) { ++self->state.subscriptions; },
    [](informer_ack_atom, const informer_subscriber_actor&, std::uint64_t) {},
  };
}

struct podlet_fixture : test::deterministic_system {
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  std::shared_ptr<fake_pod_runtime> runtime = std::make_shared<fake_pod_runtime>();
  manual_clock clock;
  caf::actor manager;
  std::uint64_t seq = 0;

  /// Spawns the pod manager (after the runtime has whatever the test put there).
  void start() {
    auto inline_exec = actors::kube::make_inline_executor();
    actors::kube::status_writer_config writer_cfg;
    writer_cfg.resource = resources::pods();
    auto writer = keep(actors::kube::spawn_status_writer(sys, writer_cfg, client, inline_exec));
    actors::kube::event_recorder_config rec_cfg;
    rec_cfg.component = "kubelet";
    rec_cfg.host = "n1";
    rec_cfg.clock = &clock;
    auto recorder = keep(actors::kube::spawn_event_recorder(sys, rec_cfg, client, inline_exec));
    auto stub = keep(caf::actor_cast<informer_actor>(sys.spawn(informer_stub)));
    actors::podlet::pod_manager_config cfg;
    cfg.node_name = "n1";
    cfg.host_ip = "192.168.50.2";
    cfg.clock = &clock;
    manager = keep(actors::podlet::spawn_pod_manager(
      sys, cfg, {stub, writer, recorder, client, inline_exec, runtime, inline_exec}));
    run();
  }

  /// Creates a pod bound to n1 in the fake API; returns it as stored.
  json create_pod(const std::string& name, std::int64_t grace = 30, const std::string& restart = "Never") {
    json p = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "ns"}}},
              {"spec",
               {{"nodeName", "n1"},
                {"restartPolicy", restart},
                {"terminationGracePeriodSeconds", grace},
                {"containers", json::array({{{"name", "main"}, {"image", "launcher"}}})}}}};
    auto created = client->create(resources::pods(), "ns", p);
    REQUIRE(created);
    return *created;
  }

  json stored(const std::string& name) {
    auto p = client->get(resources::pods(), "ns", name);
    REQUIRE(p);
    return *p;
  }

  bool exists(const std::string& name) { return client->get(resources::pods(), "ns", name).has_value(); }

  void deliver(informer_event_kind kind, const json& object) {
    informer_event ev;
    ev.seq = ++seq;
    ev.kind = kind;
    if (kind != informer_event_kind::synced) {
      ev.object = kube_object{object};
      ev.key = ev.object.key();
    }
    caf::anon_send(manager, std::move(ev));
    run();
  }

  /// Marks the pod as the API server does on a graceful DELETE.
  json mark_deleted(const std::string& name, std::int64_t grace) {
    auto p = stored(name);
    p["metadata"]["deletionTimestamp"] = "2024-01-01T00:01:00Z";
    p["metadata"]["deletionGracePeriodSeconds"] = grace;
    auto updated = client->update(resources::pods(), p);
    REQUIRE(updated);
    return *updated;
  }

  std::vector<std::string> event_reasons() {
    std::vector<std::string> out;
    for (const auto& e : client->objects(resources::events()))
      out.push_back(e.value("reason", ""));
    return out;
  }
};

std::string phase(const json& pod) { return pod.at("status").value("phase", ""); }

const json& main_state(const json& pod) { return pod.at("status").at("containerStatuses").at(0).at("state"); }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

TEST_CASE("node agent registers the node with capacity and keeps node and lease fresh", "[node_agent]") {
  test::deterministic_system s;
  auto client = std::make_shared<fake_api_client>();
  manual_clock clock;
  actors::podlet::node_agent_config cfg;
  cfg.node.name = "n1";
  cfg.node.ip = "192.168.50.2";
  cfg.node.cpu = "4";
  cfg.node.memory = "8Gi";
  cfg.node.kvm = true;
  cfg.clock = &clock;
  s.keep(actors::podlet::spawn_node_agent(s.sys, cfg, client, actors::kube::make_inline_executor()));
  s.run();

  auto node = client->get(resources::nodes(), "", "n1");
  REQUIRE(node);
  CHECK(node->at("status").at("capacity").at("devices.kubevirt.io/kvm") == "1000");
  CHECK(node->at("status").at("capacity").at("cpu") == "4");
  auto lease = client->get(resources::leases(), "kube-node-lease", "n1");
  REQUIRE(lease);
  CHECK(lease->at("spec").at("renewTime") == "2024-01-01T00:00:00.000000Z");

  clock.advance(std::chrono::seconds{10});
  s.advance(std::chrono::seconds{10});
  lease = client->get(resources::leases(), "kube-node-lease", "n1");
  CHECK(lease->at("spec").at("renewTime") == "2024-01-01T00:00:10.000000Z");
  node = client->get(resources::nodes(), "", "n1");
  for (const auto& c : node->at("status").at("conditions")) {
    CHECK(c.at("lastHeartbeatTime") == "2024-01-01T00:00:10Z");
    CHECK(c.at("lastTransitionTime") == "2024-01-01T00:00:00Z");
  }

  SECTION("a failed renewal is retried soon, not a heartbeat later") {
    client->fail_next(fake_api_client::verb::get, {errc::unavailable, "down"}, 2);
    clock.advance(std::chrono::seconds{10});
    s.advance(std::chrono::seconds{10}); // both syncs fail
    s.advance(std::chrono::seconds{1});  // both retried
    lease = client->get(resources::leases(), "kube-node-lease", "n1");
    CHECK(lease->at("spec").at("renewTime") == "2024-01-01T00:00:20.000000Z");
  }
}

TEST_CASE("a bound pod runs, reports Running with its IP, then Failed when it exits 1", "[pod_manager]") {
  podlet_fixture f;
  f.start();
  auto pod = f.create_pod("launcher");
  std::string uid = pod["metadata"]["uid"].get<std::string>();
  f.deliver(informer_event_kind::added, pod);

  auto p = f.stored("launcher");
  CHECK(phase(p) == "Running");
  CHECK(p["status"]["podIP"] == "10.244.0.10");
  CHECK(p["status"]["hostIP"] == "192.168.50.2");
  CHECK(main_state(p).contains("running"));
  CHECK(f.runtime->runs() == 1);
  CHECK(contains(f.event_reasons(), "Started"));

  f.runtime->exit_container(uid, "main", 1);
  f.advance(std::chrono::milliseconds{500});
  p = f.stored("launcher");
  CHECK(phase(p) == "Failed");
  CHECK(main_state(p)["terminated"]["exitCode"] == 1);
  CHECK(main_state(p)["terminated"]["reason"] == "Error");

  SECTION("a finished pod is no longer observed, and an update does not re-run it") {
    auto calls = f.client->calls(fake_api_client::verb::update_status);
    f.advance(std::chrono::seconds{5});
    f.deliver(informer_event_kind::updated, f.stored("launcher"));
    CHECK(f.client->calls(fake_api_client::verb::update_status) == calls);
    CHECK(f.runtime->runs() == 1);
  }
}

TEST_CASE("OOMKilled shows as the container's terminated reason", "[pod_manager]") {
  podlet_fixture f;
  f.start();
  auto pod = f.create_pod("p");
  f.deliver(informer_event_kind::added, pod);
  f.runtime->oom_kill(pod["metadata"]["uid"].get<std::string>(), "main");
  f.advance(std::chrono::milliseconds{500});
  auto p = f.stored("p");
  CHECK(phase(p) == "Failed");
  CHECK(main_state(p)["terminated"]["reason"] == "OOMKilled");
  CHECK(main_state(p)["terminated"]["exitCode"] == 137);
}

TEST_CASE("run_pod errors: transient ones retried with backoff, permanent ones fail the pod", "[pod_manager]") {
  podlet_fixture f;
  f.start();
  SECTION("transient") {
    f.runtime->fail_next_run({errc::io_error, "cgroup busy"});
    auto pod = f.create_pod("p");
    f.deliver(informer_event_kind::added, pod);
    auto p = f.stored("p");
    CHECK(phase(p) == "Pending");
    CHECK(main_state(p)["waiting"]["reason"] == "CreateContainerError");
    CHECK(contains(f.event_reasons(), "Failed"));
    f.advance(std::chrono::seconds{9});
    CHECK(f.runtime->runs() == 1);
    f.advance(std::chrono::seconds{1});
    CHECK(f.runtime->runs() == 2);
    CHECK(phase(f.stored("p")) == "Running");
  }
  SECTION("permanent") {
    f.runtime->fail_next_run({errc::unsupported, "volume type nfs"});
    auto pod = f.create_pod("p");
    f.deliver(informer_event_kind::added, pod);
    auto p = f.stored("p");
    CHECK(phase(p) == "Failed");
    CHECK(p["status"]["reason"] == "CreateContainerConfigError");
    f.advance(std::chrono::minutes{10});
    CHECK(f.runtime->runs() == 1);
  }
}

TEST_CASE("deletion: SIGTERM, the grace timer, SIGKILL, remove, the final delete", "[pod_manager]") {
  podlet_fixture f;
  f.start();
  auto pod = f.create_pod("p", 30);
  std::string uid = pod["metadata"]["uid"].get<std::string>();
  f.deliver(informer_event_kind::added, pod);
  REQUIRE(phase(f.stored("p")) == "Running");

  SECTION("a process that ignores SIGTERM is killed after the grace period") {
    f.runtime->set_ignore_sigterm(true);
    f.deliver(informer_event_kind::updated, f.mark_deleted("p", 20)); // min(30, 20) = 20
    CHECK(f.runtime->signals() == std::vector<std::pair<std::string, int>>{{uid, SIGTERM}});
    CHECK(contains(f.event_reasons(), "Killing"));
    f.advance(std::chrono::seconds{19});
    CHECK(f.runtime->signals().size() == 1);
    CHECK(f.exists("p"));
    f.advance(std::chrono::seconds{1});
    CHECK(f.runtime->signals().back() == std::pair<std::string, int>{uid, SIGKILL});
    CHECK(f.runtime->removed() == std::vector<std::string>{uid});
    CHECK_FALSE(f.exists("p"));
  }
  SECTION("a process that exits on SIGTERM is removed without waiting") {
    f.deliver(informer_event_kind::updated, f.mark_deleted("p", 30));
    CHECK(f.runtime->signals() == std::vector<std::pair<std::string, int>>{{uid, SIGTERM}});
    CHECK(f.runtime->removed() == std::vector<std::string>{uid});
    CHECK_FALSE(f.exists("p"));
    f.advance(std::chrono::seconds{30}); // the grace timer is moot
    CHECK(f.runtime->signals().size() == 1);
  }
  SECTION("grace period 0 kills at once") {
    f.runtime->set_ignore_sigterm(true);
    f.deliver(informer_event_kind::updated, f.mark_deleted("p", 0));
    CHECK(f.runtime->signals() == std::vector<std::pair<std::string, int>>{{uid, SIGKILL}});
    CHECK_FALSE(f.exists("p"));
  }
  // The informer then reports the deletion; nothing more happens.
  f.deliver(informer_event_kind::deleted, pod);
  CHECK(f.runtime->removed().size() == 1);
}

TEST_CASE("a pod deleted from the API without us is removed from the runtime", "[pod_manager]") {
  podlet_fixture f;
  f.start();
  auto pod = f.create_pod("p");
  f.deliver(informer_event_kind::added, pod);
  std::string uid = pod["metadata"]["uid"].get<std::string>();
  REQUIRE(f.runtime->has_pod(uid));
  f.deliver(informer_event_kind::deleted, pod);
  CHECK(f.runtime->removed() == std::vector<std::string>{uid});
  CHECK(f.runtime->signals().empty());
}

TEST_CASE("restart: pods still bound are re-adopted, pods the API lost are removed", "[pod_manager]") {
  podlet_fixture f;
  auto pod = f.create_pod("kept");
  std::string uid = pod["metadata"]["uid"].get<std::string>();
  f.runtime->add_running_pod(uid, {"main"}, "10.244.0.99");
  f.runtime->add_running_pod("orphan-uid", {"main"});
  f.start();
  f.deliver(informer_event_kind::added, pod);
  f.deliver(informer_event_kind::synced, {});
  CHECK(f.runtime->runs() == 0);
  CHECK(f.runtime->removed() == std::vector<std::string>{"orphan-uid"});
  auto p = f.stored("kept");
  CHECK(phase(p) == "Running");
  CHECK(p["status"]["podIP"] == "10.244.0.99");
}
