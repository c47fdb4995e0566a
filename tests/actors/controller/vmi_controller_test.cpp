// The VMI controller's actor: real informers fed from the fake API client
// (informer_mirror), the real status writer and event recorder on the inline executor,
// CAF's test coordinator. The tests decide when the caches catch up with the
// controller's own writes, which is where expectations matter.

#include "actors/controller/vmi_controller.hpp"

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "actors/controller/launcher_pod.hpp"
#include "actors/kube/event_recorder.hpp"
#include "actors/kube/status_writer.hpp"
#include "kube/client/resource.hpp"
#include "tests/actors/controller/informer_mirror.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using nlohmann::json;
using fakes::fake_api_client;
namespace res = podvisor::kube::client::resources;

namespace {

json new_vmi(const std::string& name) {
  return {{"apiVersion", "kubevirt.io/v1"},
          {"kind", "VirtualMachineInstance"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", {{"domain", {{"resources", {{"requests", {{"memory", "128Mi"}}}}}}}}}};
}

struct vmi_fixture : test::deterministic_system {
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  podvisor::manual_clock clock;
  // The production configurations, cache transforms included: every test here also
  // checks that the caches keep what the controller reads.
  test::informer_mirror vmis{sys, client, actors::controller::vmi_informer_config()};
  test::informer_mirror pods{sys, client, actors::controller::launcher_pod_informer_config()};
  actors::controller::vmi_controller_handle controller;

  vmi_fixture() {
    keep(vmis.handle.actor);
    keep(pods.handle.actor);
    auto exec = actors::kube::make_inline_executor();
    actors::kube::status_writer_config wcfg;
    wcfg.resource = res::virtual_machine_instances();
    actors::kube::event_recorder_config rcfg;
    rcfg.component = "podvisor-controller";
    rcfg.clock = &clock;
    actors::controller::vmi_controller_config cfg;
    cfg.clock = &clock;
    cfg.pod.kvm = false;
    cfg.pod.launcher_binary = "/usr/bin/podvisor-launcher";
    actors::controller::vmi_controller_deps deps{client,
                                                 exec,
                                                 vmis.handle,
                                                 pods.handle,
                                                 keep(actors::kube::spawn_status_writer(sys, wcfg, client, exec)),
                                                 keep(actors::kube::spawn_event_recorder(sys, rcfg, client, exec))};
    controller = actors::controller::spawn_vmi_controller(sys, cfg, deps);
    keep(controller.loop);
    run();
  }

  void refresh_vmis() {
    vmis.refresh();
    run();
  }
  void refresh_pods() {
    pods.refresh();
    run();
  }
  void settle() {
    for (int i = 0; i < 3; ++i) {
      refresh_vmis();
      refresh_pods();
    }
  }

  json vmi(const std::string& name) {
    auto got = client->get(res::virtual_machine_instances(), "default", name);
    REQUIRE(got);
    return *got;
  }
  std::vector<json> all_pods() { return client->objects(res::pods()); }
  std::vector<json> events() { return client->objects(res::events()); }
  /// Edits the one pod's spec and status (an update, then an update of status: the
  /// main resource's PUT ignores status, as on a real server).
  void update_pod(const std::function<void(json&)>& edit) {
    auto list = all_pods();
    REQUIRE(list.size() == 1);
    edit(list[0]);
    auto updated = client->update(res::pods(), list[0]);
    REQUIRE(updated);
    (*updated)["status"] = list[0]["status"];
    REQUIRE(client->update_status(res::pods(), *updated));
  }
};

} // namespace

TEST_CASE("vmi_controller: VMI → pod → Scheduling → Scheduled → Failed", "[vmi_controller]") {
  vmi_fixture f;
  REQUIRE(f.client->create(res::virtual_machine_instances(), "default", new_vmi("web")));
  f.refresh_vmis();
  f.refresh_pods(); // both informers synced: the loop starts
  auto pods = f.all_pods();
  REQUIRE(pods.size() == 1);
  auto v = f.vmi("web");
  CHECK(pods[0]["metadata"]["name"] == actors::controller::launcher_pod_name(v));
  CHECK(pods[0]["metadata"]["ownerReferences"][0]["uid"] == v["metadata"]["uid"]);
  CHECK(pods[0]["metadata"]["annotations"]["podvisor.io/software-emulation"] == "true");
  CHECK(v["metadata"]["finalizers"] == json{"foregroundDeleteVirtualMachine"});
  CHECK(v["status"]["phase"] == "Pending");

  // The pod informer reports the pod: Scheduling.
  f.settle();
  CHECK(f.vmi("web")["status"]["phase"] == "Scheduling");
  CHECK(f.client->calls(fake_api_client::verb::create) >= 1);

  // Bound and running: Scheduled with the node.
  f.update_pod([](json& p) {
    p["spec"]["nodeName"] = "node-1";
    p["status"]["phase"] = "Running";
  });
  f.settle();
  v = f.vmi("web");
  CHECK(v["status"]["phase"] == "Scheduled");
  CHECK(v["status"]["nodeName"] == "node-1");
  CHECK(v["status"]["phaseTransitionTimestamps"].size() == 3);

  // The pod fails: the VMI fails, with a Warning event.
  f.update_pod([](json& p) {
    p["status"]["phase"] = "Failed";
    p["status"]["reason"] = "Error";
  });
  f.settle();
  v = f.vmi("web");
  CHECK(v["status"]["phase"] == "Failed");
  CHECK(v["status"]["reason"] == "PodFailed");
  bool warned = false;
  for (const auto& e : f.events())
    warned = warned || (e.value("reason", "") == "PodFailed" && e.value("type", "") == "Warning");
  CHECK(warned);
  // Final: the pod is deleted and the finalizer removed.
  f.settle();
  CHECK(f.all_pods().empty());
  CHECK_FALSE(f.vmi("web")["metadata"].contains("finalizers"));
}

TEST_CASE("vmi_controller: expectations: a VMI change before the pod is observed creates no second pod",
          "[vmi_controller]") {
  vmi_fixture f;
  REQUIRE(f.client->create(res::virtual_machine_instances(), "default", new_vmi("web")));
  f.refresh_vmis();
  f.refresh_pods();
  REQUIRE(f.all_pods().size() == 1);
  auto creates = f.client->calls(fake_api_client::verb::create);
  // The VMI changes (finalizer, status) several times; the pod cache is still empty.
  for (int i = 0; i < 3; ++i) {
    auto v = f.vmi("web");
    v["metadata"]["labels"]["touch"] = std::to_string(i);
    REQUIRE(f.client->update(res::virtual_machine_instances(), v));
    f.refresh_vmis();
  }
  CHECK(f.client->calls(fake_api_client::verb::create) == creates);
  CHECK(f.controller.expectations->pending_creations("default/web") == 1);
  f.refresh_pods();
  CHECK(f.controller.expectations->satisfied("default/web"));
  CHECK(f.all_pods().size() == 1);
}

TEST_CASE("vmi_controller: a controller that lost its memory gets AlreadyExists, not a second pod",
          "[vmi_controller]") {
  vmi_fixture f;
  REQUIRE(f.client->create(res::virtual_machine_instances(), "default", new_vmi("web")));
  f.refresh_vmis();
  f.refresh_pods();
  REQUIRE(f.all_pods().size() == 1);
  // As after a restart: no expectation, an empty pod cache; the sync runs again.
  f.controller.expectations->remove("default/web");
  caf::anon_send(f.controller.loop, actors::controller::reconcile_enqueue_atom_v, std::string{"default/web"});
  f.run();
  CHECK(f.all_pods().size() == 1);
  f.settle();
  CHECK(f.all_pods().size() == 1);
  CHECK(f.vmi("web")["status"]["phase"] == "Scheduling");
}

TEST_CASE("vmi_controller: a failed create becomes Synchronized=False and a Warning, and is retried",
          "[vmi_controller]") {
  vmi_fixture f;
  REQUIRE(f.client->create(res::virtual_machine_instances(), "default", new_vmi("web")));
  f.client->fail_next(fake_api_client::verb::create, podvisor::error{errc::unavailable, "server down"});
  f.refresh_vmis();
  f.refresh_pods();
  CHECK(f.all_pods().empty());
  auto v = f.vmi("web");
  REQUIRE(v["status"]["conditions"].is_array());
  auto c = v["status"]["conditions"][0];
  CHECK(c["type"] == "Synchronized");
  CHECK(c["status"] == "False");
  CHECK(c["reason"] == "FailedCreate");
  CHECK(c["message"].get<std::string>().find("server down") != std::string::npos);
  bool warned = false;
  for (const auto& e : f.events())
    warned = warned || (e.value("reason", "") == "FailedCreate" && e.value("type", "") == "Warning");
  CHECK(warned);
  // The rate limiter's first retry comes after 5 ms.
  f.advance(std::chrono::milliseconds{5});
  CHECK(f.all_pods().size() == 1);
  CHECK_FALSE(f.vmi("web")["status"].contains("conditions"));
}

TEST_CASE("vmi_controller: an unschedulable pod puts its reason on the VMI", "[vmi_controller]") {
  vmi_fixture f;
  REQUIRE(f.client->create(res::virtual_machine_instances(), "default", new_vmi("web")));
  f.settle();
  f.update_pod([](json& p) {
    p["status"]["conditions"] = {{{"type", "PodScheduled"},
                                  {"status", "False"},
                                  {"reason", "Unschedulable"},
                                  {"message", "0/2 nodes are available: 2 Insufficient memory."}}};
  });
  f.settle();
  auto v = f.vmi("web");
  CHECK(v["status"]["phase"] == "Scheduling");
  REQUIRE(v["status"]["conditions"].size() == 1);
  CHECK(v["status"]["conditions"][0]["type"] == "PodScheduled");
  CHECK(v["status"]["conditions"][0]["message"] == "0/2 nodes are available: 2 Insufficient memory.");
}

TEST_CASE("vmi_controller: its writes keep what its caches drop (a write after the transform loses nothing)",
          "[vmi_controller][transform]") {
  vmi_fixture f;
  // A VMI as a real cluster holds it: managedFields, kubectl's annotation, and status
  // fields the node agent writes, none of which the controller's cache keeps.
  auto v = new_vmi("web");
  v["metadata"]["managedFields"] = {{{"manager", "kubectl"}, {"operation", "Apply"}}};
  v["metadata"]["annotations"] = {{"kubectl.kubernetes.io/last-applied-configuration", "{\"spec\":{}}"},
                                  {"team", "blue"}};
  REQUIRE(f.client->create(res::virtual_machine_instances(), "default", v));
  auto stored = f.vmi("web");
  stored["status"] = {{"interfaces", {{{"name", "default"}, {"ipAddress", "10.1.0.5"}}}},
                      {"guestOSInfo", {{"id", "alpine"}}}};
  REQUIRE(f.client->update_status(res::virtual_machine_instances(), stored));

  // Through the phases: finalizer patch, pod create, status writes, pod updates.
  f.refresh_vmis();
  f.refresh_pods();
  f.settle();
  f.update_pod([](json& p) {
    p["metadata"]["annotations"]["kubelet.note"] = "x";
    p["spec"]["nodeName"] = "node-1";
    p["status"] = {{"phase", "Running"}, {"podIP", "10.94.1.17"}, {"hostIP", "10.94.0.2"}};
  });
  f.settle();

  // The caches hold views...
  auto cached_vmi = f.vmis.handle.cache->get("default/web");
  REQUIRE(cached_vmi);
  CHECK_FALSE(cached_vmi->at("metadata").contains("managedFields"));
  CHECK_FALSE(cached_vmi->at("status").contains("interfaces"));
  auto pods = f.all_pods();
  REQUIRE(pods.size() == 1);
  auto cached_pod = f.pods.handle.cache->get("default/" + pods[0]["metadata"]["name"].get<std::string>());
  REQUIRE(cached_pod);
  CHECK_FALSE(cached_pod->at("spec").contains("containers"));
  CHECK_FALSE(cached_pod->at("status").contains("podIP"));

  // ...and the API kept everything: the controller's writes were patches and
  // read-modify-writes of fresh reads, never a cached view written back.
  auto after = f.vmi("web");
  CHECK(after["status"]["phase"] == "Scheduled");
  CHECK(after["status"]["nodeName"] == "node-1");
  CHECK(after["metadata"]["finalizers"] == json{"foregroundDeleteVirtualMachine"});
  CHECK(after["metadata"]["managedFields"] == v["metadata"]["managedFields"]);
  CHECK(after["metadata"]["annotations"] == v["metadata"]["annotations"]);
  CHECK(after["status"]["interfaces"] == stored["status"]["interfaces"]);
  CHECK(after["status"]["guestOSInfo"] == stored["status"]["guestOSInfo"]);
  CHECK(pods[0]["spec"]["containers"][0].contains("env"));
  CHECK(pods[0]["status"]["podIP"] == "10.94.1.17");
  CHECK(pods[0]["metadata"]["annotations"]["kubelet.note"] == "x");
  // The launcher pod was built from the cached VMI: it still got the VMI's annotations.
  auto vmi_json = json::parse(pods[0]["spec"]["containers"][0]["env"][0]["value"].get<std::string>());
  CHECK(vmi_json["metadata"]["annotations"] == v["metadata"]["annotations"]);
}
