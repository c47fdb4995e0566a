// The podlet against the real embedded API server over HTTPS, with real threads and the
// fake pod runtime: the Node and its Lease appear, a bound pod reports Running, and a
// graceful DELETE through the API (the server sets deletionTimestamp) ends with the
// podlet's final DELETE (grace 0, uid precondition) removing the object.

#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

#include <catch2/catch_test_macros.hpp>

#include "actors/podlet/podlet.hpp"
#include "kube/client/resource.hpp"
#include "tests/actors/kube/server_env.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_pod_runtime.hpp"

using namespace podvisor;
using nlohmann::json;
namespace resources = podvisor::kube::client::resources;

namespace {

/// Polls `pred` until it holds or `timeout` passes (real time).
bool eventually(const std::function<bool()>& pred, std::chrono::seconds timeout = std::chrono::seconds{30}) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return pred();
}

} // namespace

TEST_CASE("podlet registers its node, runs a bound pod and completes a graceful deletion", "[podlet][integration]") {
  test::kube_server server;
  auto client = server.client();
  auto runtime = std::make_shared<fakes::fake_pod_runtime>();
  test::threaded_system s;

  actors::podlet::podlet_config cfg;
  cfg.node.name = "sim-1";
  cfg.node.ip = "192.168.77.2";
  cfg.node.pod_cidr = "10.244.7.0/24";
  cfg.node.cpu = "2";
  cfg.node.memory = "4Gi";
  cfg.node.kubelet_version = "v0.1.0";
  cfg.observe_interval = std::chrono::milliseconds{100};
  auto podlet = actors::podlet::spawn_podlet(s.sys, cfg, client, runtime);
  struct stopper {
    actors::podlet::podlet_handle h;
    ~stopper() { actors::podlet::stop_podlet(h); }
  } stop_at_end{podlet};

  REQUIRE(eventually([&] {
    auto node = client->get(resources::nodes(), "", "sim-1");
    return node && node->value("status", json::object()).contains("conditions");
  }));
  auto node = client->get(resources::nodes(), "", "sim-1");
  CHECK(node->at("status").at("allocatable").at("memory") == "4Gi");
  CHECK(node->at("spec").at("podCIDR") == "10.244.7.0/24");
  REQUIRE(eventually([&] { return client->get(resources::leases(), "kube-node-lease", "sim-1").has_value(); }));

  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "launcher"}, {"namespace", "default"}}},
              {"spec",
               {{"nodeName", "sim-1"},
                {"restartPolicy", "Never"},
                {"terminationGracePeriodSeconds", 30},
                {"containers", json::array({{{"name", "compute"}, {"image", "podvisor/launcher"}}})}}}};
  auto created = client->create(resources::pods(), "default", pod);
  REQUIRE(created);
  std::string uid = created->at("metadata").at("uid");

  REQUIRE(eventually([&] {
    auto p = client->get(resources::pods(), "default", "launcher");
    return p && p->value("status", json::object()).value("phase", "") == "Running";
  }));
  auto running = client->get(resources::pods(), "default", "launcher");
  CHECK(running->at("status").at("podIP") == "10.244.0.10");
  CHECK(running->at("status").at("hostIP") == "192.168.77.2");

  // A graceful delete: the server only marks the pod; the podlet finishes it.
  auto marked = client->remove(resources::pods(), "default", "launcher", {});
  REQUIRE(marked);
  REQUIRE(eventually([&] {
    auto p = client->get(resources::pods(), "default", "launcher");
    return !p && p.error().code == errc::not_found;
  }));
  CHECK(runtime->signals().front() == std::pair<std::string, int>{uid, SIGTERM});
  CHECK(runtime->removed() == std::vector<std::string>{uid});
}
