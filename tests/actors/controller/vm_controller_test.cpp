// The VM controller's actor against the in-memory fake API client: informers fed by the
// test (informer_mirror), API calls inline, timers on the test coordinator's clock and
// wall time from a manual clock moved in step with it.

#include "actors/controller/vm_controller.hpp"

#include <catch2/catch_test_macros.hpp>

#include "actors/controller/vmi_controller.hpp"
#include "actors/kube/status_writer.hpp"
#include "tests/actors/controller/informer_mirror.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using namespace std::chrono_literals;
using fakes::fake_api_client;
using nlohmann::json;
namespace res = podvisor::kube::client::resources;

namespace {

struct vm_fixture : test::deterministic_system {
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  podvisor::manual_clock clock;
  test::informer_mirror vms{sys, client, res::virtual_machines()};
  // The production configuration, cache transform included.
  test::informer_mirror vmis{sys, client, actors::controller::vmi_informer_config()};
  actors::controller::reconcile_loop_actor controller;

  vm_fixture() {
    keep(vms.handle.actor);
    keep(vmis.handle.actor);
    actors::kube::status_writer_config wcfg;
    wcfg.resource = res::virtual_machines();
    auto inline_exec = actors::kube::make_inline_executor();
    auto writer = keep(actors::kube::spawn_status_writer(sys, wcfg, client, inline_exec));
    actors::controller::vm_controller_config cfg;
    cfg.vms = vms.handle;
    cfg.vmis = vmis.handle;
    cfg.client = client;
    cfg.executor = inline_exec;
    cfg.status_writer = writer;
    cfg.clock = &clock;
    controller = keep(actors::controller::spawn_vm_controller(sys, cfg));
    run();
  }

  /// The informers catch up with the fake; the controller reacts.
  void settle() {
    for (int i = 0; i < 3; ++i) {
      vms.refresh();
      vmis.refresh();
      run();
    }
  }

  /// Both clocks move.
  void elapse(std::chrono::seconds d) {
    clock.advance(d);
    advance(d);
    settle();
  }

  void create_vm(const std::string& strategy) {
    json vm = {{"apiVersion", "kubevirt.io/v1"},
               {"kind", "VirtualMachine"},
               {"metadata", {{"name", "vm1"}, {"namespace", "ns"}, {"uid", "vm-uid"}}},
               {"spec",
                {{"runStrategy", strategy},
                 {"template",
                  {{"metadata", {{"labels", {{"app", "web"}}}}},
                   {"spec", {{"domain", {{"devices", json::object()}}}}}}}}}};
    REQUIRE(client->create(res::virtual_machines(), "ns", vm));
  }

  std::optional<json> vmi() {
    auto got = client->get(res::virtual_machine_instances(), "ns", "vm1");
    if (!got)
      return std::nullopt;
    return got.value();
  }

  json vm_status() { return client->get(res::virtual_machines(), "ns", "vm1")->value("status", json::object()); }

  /// The VMI ends in `phase`, as the node agent would write it.
  void end_vmi(const std::string& phase) {
    auto v = vmi();
    REQUIRE(v);
    (*v)["status"]["phase"] = phase;
    (*v)["status"]["phaseTransitionTimestamps"] =
      json::array({{{"phase", phase}, {"phaseTransitionTimestamp", kube::api::format_timestamp(kube::api::timestamp{clock.wall_now()})}}});
    REQUIRE(client->update_status(res::virtual_machine_instances(), *v));
  }
};

} // namespace

TEST_CASE("an Always VM gets its VMI, and a new one after a failure and the back-off", "[vm_controller]") {
  vm_fixture f;
  f.create_vm("Always");
  f.settle();

  auto first = f.vmi();
  REQUIRE(first);
  CHECK(first->at("metadata").at("labels").at("app") == "web");
  auto owner = first->at("metadata").at("ownerReferences").at(0);
  CHECK(owner.at("uid") == f.client->get(res::virtual_machines(), "ns", "vm1")->at("metadata").at("uid"));
  CHECK(owner.at("controller") == true);
  CHECK(owner.at("blockOwnerDeletion") == true);
  CHECK(f.vm_status().value("printableStatus", "") == "Starting");
  CHECK(f.vm_status().value("created", false));

  f.end_vmi("Failed");
  f.settle();
  CHECK_FALSE(f.vmi()); // deleted; no new one during the back-off
  auto st = f.vm_status();
  CHECK(st.value("printableStatus", "") == "CrashLoopBackOff");
  CHECK(st.at("startFailure").at("consecutiveFailCount") == 1);

  f.elapse(5s);
  CHECK_FALSE(f.vmi());
  f.elapse(6s);
  auto second = f.vmi();
  REQUIRE(second);
  CHECK(second->at("metadata").at("uid") != first->at("metadata").at("uid"));
  CHECK(f.vm_status().value("printableStatus", "") == "Starting");
}

TEST_CASE("RerunOnFailure leaves a Succeeded VMI, Once leaves a Failed one", "[vm_controller]") {
  for (std::string strategy : {"RerunOnFailure", "Once"}) {
    vm_fixture f;
    f.create_vm(strategy);
    f.settle();
    auto first = f.vmi();
    REQUIRE(first);
    f.end_vmi(strategy == "Once" ? "Failed" : "Succeeded");
    f.settle();
    f.elapse(400s);
    auto still = f.vmi();
    REQUIRE(still);
    CHECK(still->at("metadata").at("uid") == first->at("metadata").at("uid"));
    CHECK(f.vm_status().value("printableStatus", "") == "Stopped");
  }
}

TEST_CASE("a Manual VM starts on a Start request and stops on a Stop request", "[vm_controller]") {
  vm_fixture f;
  f.create_vm("Manual");
  f.settle();
  CHECK_FALSE(f.vmi());
  CHECK(f.vm_status().value("printableStatus", "") == "Stopped");

  auto vm = f.client->get(res::virtual_machines(), "ns", "vm1").value();
  vm["status"]["stateChangeRequests"] = json::array({{{"action", "Start"}}});
  REQUIRE(f.client->update_status(res::virtual_machines(), vm));
  f.settle();
  auto started = f.vmi();
  REQUIRE(started);
  CHECK(f.vm_status().value("stateChangeRequests", json::array()).empty());

  vm = f.client->get(res::virtual_machines(), "ns", "vm1").value();
  vm["status"]["stateChangeRequests"] =
    json::array({{{"action", "Stop"}, {"uid", started->at("metadata").at("uid")}}});
  REQUIRE(f.client->update_status(res::virtual_machines(), vm));
  f.settle();
  CHECK_FALSE(f.vmi());
  CHECK(f.vm_status().value("stateChangeRequests", json::array()).empty());
  CHECK(f.vm_status().value("printableStatus", "") == "Stopped");
}

TEST_CASE("a failed VMI create becomes the Failure condition and is retried", "[vm_controller]") {
  vm_fixture f;
  f.create_vm("Always");
  f.client->fail_next(fake_api_client::verb::create, error{errc::unavailable, "server down"});
  f.vms.refresh();
  f.vmis.refresh();
  f.run();
  CHECK_FALSE(f.vmi());
  bool failure = false;
  for (const auto& c : f.vm_status().value("conditions", json::array()))
    failure |= c.value("type", "") == "Failure" && c.value("reason", "") == "FailedCreate";
  CHECK(failure);

  f.elapse(1s); // the rate-limited retry (5 ms)
  REQUIRE(f.vmi());
  for (const auto& c : f.vm_status().value("conditions", json::array()))
    CHECK(c.value("type", "") != "Failure");
}

TEST_CASE("a VMI event queues the VM that controls it", "[vm_controller]") {
  json vmi = {{"metadata",
               {{"namespace", "ns"},
                {"name", "x"},
                {"ownerReferences", json::array({{{"kind", "VirtualMachine"}, {"name", "vm1"}, {"controller", true}}})}}}};
  CHECK(actors::controller::owner_vm_key(vmi) == "ns/vm1");
  vmi["metadata"]["ownerReferences"][0]["controller"] = false;
  CHECK(actors::controller::owner_vm_key(vmi).empty());
  CHECK(actors::controller::owner_vm_key(json::object()).empty());
}
