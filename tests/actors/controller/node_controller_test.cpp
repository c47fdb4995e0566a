// The node controller's actor against the in-memory fake API client, with informers fed
// by the test and both clocks (the actor clock for requeues, a manual clock for
// staleness) moved together.

#include "actors/controller/node_controller.hpp"

#include <catch2/catch_test_macros.hpp>

#include "actors/controller/cache_transforms.hpp"
#include "actors/controller/vmi_controller.hpp"
#include "actors/kube/status_writer.hpp"
#include "kube/api/micro_timestamp.hpp"
#include "tests/actors/controller/informer_mirror.hpp"
#include "tests/actors/kube/test_support.hpp"
#include "tests/fakes/fake_api_client.hpp"

using namespace podvisor;
using namespace std::chrono_literals;
using fakes::fake_api_client;
using nlohmann::json;
namespace res = podvisor::kube::client::resources;

namespace {

struct node_fixture : test::deterministic_system {
  std::shared_ptr<fake_api_client> client = std::make_shared<fake_api_client>();
  podvisor::manual_clock clock;
  test::informer_mirror nodes{sys, client, node_config()};
  test::informer_mirror leases{sys, client, res::leases()};
  test::informer_mirror vmis{sys, client, vmi_config()};

  /// The caches keep what they keep in podvisor-controller (cache transforms).
  static actors::kube::informer_config node_config() {
    actors::kube::informer_config c;
    c.resource = res::nodes();
    c.transform = actors::controller::node_view;
    return c;
  }
  static actors::kube::informer_config vmi_config() {
    auto c = actors::controller::vmi_informer_config();
    c.indexes.emplace(actors::controller::vmi_node_index, actors::kube::field_index("status.nodeName"));
    return c;
  }

  node_fixture() {
    keep(nodes.handle.actor);
    keep(leases.handle.actor);
    keep(vmis.handle.actor);
    actors::kube::status_writer_config wcfg;
    wcfg.resource = res::nodes();
    auto inline_exec = actors::kube::make_inline_executor();
    auto writer = keep(actors::kube::spawn_status_writer(sys, wcfg, client, inline_exec));
    actors::controller::node_controller_config cfg;
    cfg.nodes = nodes.handle;
    cfg.leases = leases.handle;
    cfg.vmis = vmis.handle;
    cfg.client = client;
    cfg.executor = inline_exec;
    cfg.status_writer = writer;
    cfg.clock = &clock;
    cfg.grace_period = 40s;
    keep(actors::controller::spawn_node_controller(sys, cfg));
    run();
  }

  void settle() {
    for (int i = 0; i < 3; ++i) {
      nodes.refresh();
      leases.refresh();
      vmis.refresh();
      run();
    }
  }

  void elapse(std::chrono::seconds d) {
    clock.advance(d);
    advance(d);
    settle();
  }

  void add_node(const std::string& name) {
    json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", name}, {"uid", "uid-" + name}}},
                 {"status",
                  {{"conditions",
                    json::array({{{"type", "Ready"},
                                  {"status", "True"},
                                  {"reason", "KubeletReady"},
                                  {"lastHeartbeatTime", kube::api::format_timestamp(kube::api::timestamp{clock.wall_now()})},
                                  {"lastTransitionTime", kube::api::format_timestamp(kube::api::timestamp{clock.wall_now()})}}})}}}};
    auto created = client->create(res::nodes(), "", node);
    REQUIRE(created);
    auto with_status = created.value(); // a create does not set the status subresource
    with_status["status"] = node["status"];
    REQUIRE(client->update_status(res::nodes(), with_status));
    json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", name}, {"namespace", "kube-node-lease"}}},
                  {"spec", {{"holderIdentity", name}, {"renewTime", renew_time()}}}};
    REQUIRE(client->create(res::leases(), "kube-node-lease", lease));
  }

  std::string renew_time() { return kube::api::format_micro_timestamp(kube::api::timestamp{clock.wall_now()}); }

  void renew(const std::string& name) {
    auto lease = client->get(res::leases(), "kube-node-lease", name).value();
    lease["spec"]["renewTime"] = renew_time();
    REQUIRE(client->update(res::leases(), lease));
  }

  void add_vmi(const std::string& name, const std::string& node, const std::string& phase) {
    json vmi = {{"apiVersion", "kubevirt.io/v1"},
                {"kind", "VirtualMachineInstance"},
                {"metadata", {{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}}},
                {"spec", {{"domain", {{"devices", json::object()}}}}},
                {"status", {{"phase", phase}, {"nodeName", node}}}};
    REQUIRE(client->create(res::virtual_machine_instances(), "ns", vmi));
  }

  void add_pod(const std::string& name, const std::string& node, bool launcher) {
    json labels = launcher ? json{{"kubevirt.io", "virt-launcher"}} : json::object();
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "ns"}, {"labels", labels}}},
                {"spec", {{"nodeName", node}, {"containers", json::array({{{"name", "c"}, {"image", "i"}}})}}}};
    REQUIRE(client->create(res::pods(), "ns", pod));
  }

  bool pod_exists(const std::string& name) { return client->get(res::pods(), "ns", name).has_value(); }

  json ready_of(const std::string& node) {
    auto object = client->get(res::nodes(), "", node).value(); // a named copy: no dangling temporary
    for (const auto& c : object.at("status").at("conditions"))
      if (c.at("type") == "Ready")
        return c;
    return nullptr;
  }

  json vmi_status(const std::string& name) {
    return client->get(res::virtual_machine_instances(), "ns", name)->at("status");
  }
};

} // namespace

TEST_CASE("a node whose lease stops moving is marked Unknown and its VMIs fail", "[node_controller]") {
  node_fixture f;
  f.add_node("node-a");
  f.add_node("node-b");
  f.add_vmi("on-a", "node-a", "Running");
  f.add_vmi("done-on-a", "node-a", "Succeeded");
  f.add_vmi("on-b", "node-b", "Running");
  f.add_pod("launcher-on-a", "node-a", true);
  f.add_pod("other-on-a", "node-a", false);
  f.add_pod("launcher-on-b", "node-b", true);
  f.settle();

  // node-b keeps renewing every 10 s; node-a stops.
  for (int i = 0; i < 3; ++i) {
    f.elapse(10s);
    f.renew("node-b");
    f.settle();
  }
  f.elapse(9s); // 39 s since node-a's last heartbeat
  CHECK(f.ready_of("node-a").at("status") == "True");
  CHECK(f.vmi_status("on-a").at("phase") == "Running");

  f.elapse(1s);
  auto ready = f.ready_of("node-a");
  CHECK(ready.at("status") == "Unknown");
  CHECK(ready.at("reason") == "NodeStatusUnknown");
  auto failed = f.vmi_status("on-a");
  CHECK(failed.at("phase") == "Failed");
  CHECK(failed.at("reason") == "NodeUnresponsive");
  CHECK(f.vmi_status("done-on-a").at("phase") == "Succeeded");
  CHECK(f.vmi_status("on-b").at("phase") == "Running");
  CHECK(f.ready_of("node-b").at("status") == "True");
  // The dead node's launcher pods are force-deleted (their VMIs' finalizers wait for
  // them); other pods, and launcher pods elsewhere, are left alone.
  CHECK_FALSE(f.pod_exists("launcher-on-a"));
  CHECK(f.pod_exists("other-on-a"));
  CHECK(f.pod_exists("launcher-on-b"));

  // A VMI that lands on the dead node later fails too.
  f.add_vmi("late", "node-a", "Scheduled");
  f.settle();
  CHECK(f.vmi_status("late").at("phase") == "Failed");
}

TEST_CASE("a node agent heartbeating through the Ready condition alone stays ready", "[node_controller]") {
  node_fixture f;
  f.add_node("node-a");
  f.settle();
  for (int i = 0; i < 6; ++i) {
    f.elapse(10s);
    auto node = f.client->get(res::nodes(), "", "node-a").value();
    node["status"]["conditions"][0]["lastHeartbeatTime"] = kube::api::format_timestamp(kube::api::timestamp{f.clock.wall_now()});
    REQUIRE(f.client->update_status(res::nodes(), node));
    f.settle();
  }
  CHECK(f.ready_of("node-a").at("status") == "True");
}

namespace {

/// What podvisor-agent's heartbeat writes (node_heartbeat.hpp): a merge patch.
void agent_beat(node_fixture& f, const std::string& node) {
  json patch = {{"metadata",
                 {{"labels", {{"podvisor.io/schedulable", "true"}}},
                  {"annotations", {{"podvisor.io/agent-heartbeat", f.renew_time()}}}}}};
  REQUIRE(f.client->patch(res::nodes(), "", node, kube::client::patch_type::merge, patch));
}

json labels_of(node_fixture& f, const std::string& node) {
  auto object = f.client->get(res::nodes(), "", node).value();
  return object.at("metadata").value("labels", json::object());
}

} // namespace

TEST_CASE("an agent whose heartbeat stops makes its node unschedulable, its VMIs keep running", "[node_controller]") {
  node_fixture f;
  f.add_node("n1");
  f.add_node("plain"); // no agent: never touched
  f.add_vmi("vm1", "n1", "Running");
  agent_beat(f, "n1");
  f.settle();

  // The podlet keeps renewing its lease; the agent beats for 20 s more, then stops.
  for (int i = 1; i <= 6; ++i) {
    f.elapse(10s);
    f.renew("n1");
    f.renew("plain");
    if (i <= 2)
      agent_beat(f, "n1");
    f.settle();
    CAPTURE(i);
    // Last beat at 20 s: still schedulable at 50 s, not at 60 s.
    CHECK(labels_of(f, "n1").at("podvisor.io/schedulable") == (i < 6 ? "true" : "false"));
  }
  CHECK(f.ready_of("n1").at("status") == "True"); // the node itself is fine
  CHECK(f.vmi_status("vm1").at("phase") == "Running"); // left for the agent to re-adopt
  CHECK_FALSE(labels_of(f, "plain").contains("podvisor.io/schedulable"));

  SECTION("the agent's next heartbeat makes it schedulable again, and it stays so while it beats") {
    agent_beat(f, "n1");
    f.settle();
    CHECK(labels_of(f, "n1").at("podvisor.io/schedulable") == "true");
    for (int i = 0; i < 5; ++i) {
      f.elapse(15s);
      f.renew("n1");
      agent_beat(f, "n1");
      f.settle();
    }
    CHECK(labels_of(f, "n1").at("podvisor.io/schedulable") == "true");
  }
}
