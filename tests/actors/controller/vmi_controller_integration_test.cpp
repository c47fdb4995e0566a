// podvisor-controller against the real embedded API server over HTTPS: the binary
// (build/bin/podvisor-controller) as a child process, the test playing scheduler and
// node by hand through the API. No sleeps: every step waits for a condition with a
// deadline.

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "common/process.hpp"
#include "kube/client/resource.hpp"
#include "tests/actors/kube/server_env.hpp"

using namespace podvisor;
using nlohmann::json;
namespace res = podvisor::kube::client::resources;
using namespace std::chrono_literals;

namespace {

/// Polls `pred` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 30s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(20ms); // polling interval, not a wait for an outcome
  }
  return pred();
}

json new_vmi(const std::string& name) {
  return {{"apiVersion", "kubevirt.io/v1"},
          {"kind", "VirtualMachineInstance"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"domain", {{"cpu", {{"cores", 2}}}, {"resources", {{"requests", {{"memory", "256Mi"}}}}}}},
            {"terminationGracePeriodSeconds", 7}}}};
}

struct controller_env {
  test::scratch_dir dir;
  std::unique_ptr<kube::apiserver::embedded_server> server = start_server(dir.path() / "data");
  std::shared_ptr<kube::client::api_client> client = make_client(dir.path() / "data" / "admin.kubeconfig");
  test::scratch_dir logs;

  static std::unique_ptr<kube::apiserver::embedded_server> start_server(const std::filesystem::path& data) {
    kube::apiserver::embedded_server_options options;
    options.data_dir = data;
    options.port = 0;
    auto started = kube::apiserver::embedded_server::start(options);
    if (!started)
      FAIL("embedded server did not start: " << started.error().to_string());
    return std::move(*started);
  }
  static std::shared_ptr<kube::client::api_client> make_client(const std::filesystem::path& kubeconfig) {
    auto config = kube::client::load_kubeconfig(kubeconfig);
    if (!config)
      FAIL("cannot load the admin kubeconfig: " << config.error().to_string());
    auto c = kube::client::rest_client::create(std::move(*config));
    if (!c)
      FAIL("cannot create a client: " << c.error().to_string());
    return std::shared_ptr<kube::client::api_client>{std::move(*c)};
  }
  std::optional<child_process> controller;

  void start_controller() {
    spawn_options opts;
    opts.output_path = (logs.path() / "controller.log").string();
    opts.parent_death_signal = SIGKILL;
    auto kubeconfig = (dir.path() / "data" / "admin.kubeconfig").string();
    auto p = child_process::spawn({std::string{PODVISOR_BINARY_DIR} + "/bin/podvisor-controller", "--kubeconfig",
                                   kubeconfig, "--kvm", "off", "--leader-elect=false",
                                   "--launcher-binary", "/opt/podvisor/podvisor-launcher"},
                                  opts);
    REQUIRE(p);
    controller.emplace(std::move(*p));
  }

  std::optional<json> vmi(const std::string& name) {
    auto got = client->get(res::virtual_machine_instances(), "default", name);
    if (!got)
      return std::nullopt;
    return *got;
  }
  std::string phase(const std::string& name) {
    auto v = vmi(name);
    return v ? v->value("/status/phase"_json_pointer, std::string{}) : std::string{"<gone>"};
  }
  std::vector<json> pods() {
    auto list = client->list(res::pods(), "default", {});
    REQUIRE(list);
    return list->items;
  }
  std::vector<json> pods_of(const std::string& uid) {
    std::vector<json> out;
    for (auto& p : pods())
      if (p["metadata"]["labels"].value("kubevirt.io/created-by", "") == uid)
        out.push_back(p);
    return out;
  }
  std::string log() {
    std::ifstream in(logs.path() / "controller.log");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
};

} // namespace

TEST_CASE("podvisor-controller: a VMI's pod, its phases, its failure and its deletion", "[controller_integration]") {
  controller_env env;
  env.start_controller();
  REQUIRE(env.client->create(res::virtual_machine_instances(), "default", new_vmi("web")));
  auto uid = env.vmi("web")->at("metadata").at("uid").get<std::string>();

  // A pod appears with the VMI's resources, labels and owner; the VMI is Scheduling.
  REQUIRE(eventually([&] { return env.pods_of(uid).size() == 1; }));
  auto pod = env.pods_of(uid)[0];
  INFO(env.log());
  const auto& c = pod["spec"]["containers"][0];
  CHECK(c["name"] == "compute");
  // 256 MiB + 150 MiB + 2 × 8 MiB + 0.5 MiB + 128 MiB (software emulation)
  CHECK(c["resources"]["requests"]["memory"] == "563712Ki"); // 550.5 MiB
  CHECK(c["resources"]["requests"]["cpu"] == "200m");
  CHECK(pod["metadata"]["labels"]["kubevirt.io"] == "virt-launcher");
  CHECK(pod["metadata"]["labels"]["vm.kubevirt.io/name"] == "web");
  CHECK(pod["metadata"]["ownerReferences"][0]["uid"] == uid);
  CHECK(pod["metadata"]["ownerReferences"][0]["controller"] == true);
  CHECK(pod["spec"]["terminationGracePeriodSeconds"] == 7);
  REQUIRE(eventually([&] { return env.phase("web") == "Scheduling"; }));

  // Bound and Running by hand: Scheduled on that node.
  const std::string pod_name = pod["metadata"]["name"];
  REQUIRE(env.client->create_subresource(res::pods(), "default", pod_name, "binding",
                                         {{"apiVersion", "v1"},
                                          {"kind", "Binding"},
                                          {"metadata", {{"name", pod_name}}},
                                          {"target", {{"kind", "Node"}, {"name", "node-1"}}}}));
  auto set_pod_phase = [&](const std::string& phase) {
    REQUIRE(eventually([&] {
      auto p = env.client->get(res::pods(), "default", pod_name);
      if (!p)
        return false;
      (*p)["status"]["phase"] = phase;
      return env.client->update_status(res::pods(), *p).has_value();
    }));
  };
  set_pod_phase("Running");
  REQUIRE(eventually([&] { return env.phase("web") == "Scheduled"; }));
  CHECK(env.vmi("web")->at("status").at("nodeName") == "node-1");

  // The pod fails: the VMI fails.
  set_pod_phase("Failed");
  REQUIRE(eventually([&] { return env.phase("web") == "Failed"; }));
  CHECK(env.vmi("web")->at("status").at("reason") == "PodFailed");

  // Another VMI, deleted: its pod goes, then the VMI.
  REQUIRE(env.client->create(res::virtual_machine_instances(), "default", new_vmi("db")));
  auto db_uid = env.vmi("db")->at("metadata").at("uid").get<std::string>();
  REQUIRE(eventually([&] { return env.pods_of(db_uid).size() == 1; }));
  REQUIRE(eventually([&] { return env.vmi("db")->at("metadata").contains("finalizers"); }));
  REQUIRE(env.client->remove(res::virtual_machine_instances(), "default", "db", {}));
  REQUIRE(eventually([&] { return env.pods_of(db_uid).empty(); }));
  REQUIRE(eventually([&] { return !env.vmi("db").has_value(); }));

  // SIGTERM: a clean exit.
  env.controller->signal(SIGTERM);
  auto st = env.controller->wait_for(20s);
  REQUIRE(st);
  CHECK(st->success());
}

TEST_CASE("podvisor-controller: kill -9 during a burst of 20 VMIs, restart: exactly one pod per VMI",
          "[controller_integration]") {
  controller_env env;
  env.start_controller();
  std::vector<std::string> uids;
  for (int i = 0; i < 20; ++i) {
    auto created = env.client->create(res::virtual_machine_instances(), "default", new_vmi("burst-" + std::to_string(i)));
    REQUIRE(created);
    uids.push_back((*created)["metadata"]["uid"]);
    if (i == 10) {
      // Mid-burst, once the controller has created some pods: kill -9.
      REQUIRE(eventually([&] { return !env.pods().empty(); }));
      env.controller->signal(SIGKILL);
      REQUIRE(env.controller->wait_for(10s));
    }
  }
  env.start_controller();
  INFO(env.log());
  // Every VMI reaches Scheduling, which the controller sets only after observing its pod.
  REQUIRE(eventually([&] {
    for (int i = 0; i < 20; ++i)
      if (env.phase("burst-" + std::to_string(i)) != "Scheduling")
        return false;
    return true;
  }, 60s));
  std::map<std::string, int> per_vmi;
  for (auto& p : env.pods())
    ++per_vmi[p["metadata"]["labels"].value("kubevirt.io/created-by", "")];
  CHECK(per_vmi.size() == 20);
  for (auto& uid : uids)
    CHECK(per_vmi[uid] == 1);
  env.controller->signal(SIGTERM);
  CHECK(env.controller->wait_for(20s));
}
