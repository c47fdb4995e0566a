// build_pod_status: the pod's status from the Pod and the runtime's observation, as
// kubelet writes it (a table of cases), and the Node/Lease builders.

#include "actors/podlet/pod_status.hpp"

#include <map>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "actors/podlet/node_object.hpp"

using namespace podvisor;
using namespace podvisor::actors::podlet;
using kube::podlet::container_observation;
using kube::podlet::pod_observation;
using nlohmann::json;
using state = container_observation::state;

namespace {

const auto t0 = std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}};
const auto t1 = t0 + std::chrono::seconds{5};

json pod(const std::string& restart_policy = "Never", std::vector<std::string> containers = {"main"}) {
  json spec = {{"nodeName", "n1"}, {"containers", json::array()}};
  if (!restart_policy.empty())
    spec["restartPolicy"] = restart_policy;
  for (const auto& c : containers)
    spec["containers"].push_back({{"name", c}, {"image", "img/" + c}});
  return {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u1"}}}, {"spec", spec}};
}

container_observation running(const std::string& name) {
  container_observation c;
  c.name = name;
  c.current = state::running;
  c.started_at_ns = 1'800'000'001'000'000'000;
  return c;
}

container_observation ended(const std::string& name, std::optional<int> code, std::optional<int> sig,
                            std::string reason = {}) {
  auto c = running(name);
  c.current = state::terminated;
  c.exit_code = code;
  c.signal = sig;
  c.reason = std::move(reason);
  c.finished_at_ns = 1'800'000'002'000'000'000;
  return c;
}

pod_status_input seen(std::vector<container_observation> cs) {
  pod_status_input in;
  pod_observation o;
  o.uid = "u1";
  o.pod_ip = "10.244.1.5";
  o.sandbox_ready = true;
  o.containers = std::move(cs);
  in.observation = o;
  in.host_ip = "192.168.50.2";
  in.now = t0;
  return in;
}

std::string condition(const json& status, const std::string& type, const std::string& field = "status") {
  for (const auto& c : status.at("conditions"))
    if (c.at("type") == type)
      return c.value(field, "");
  return "<none>";
}

const json& state_of(const json& status, std::size_t i = 0) { return status.at("containerStatuses").at(i).at("state"); }

} // namespace

TEST_CASE("phase follows the containers and the restart policy", "[pod_status]") {
  struct row {
    std::string name;
    std::string policy;
    std::vector<container_observation> containers;
    std::string phase;
  };
  std::vector<row> rows = {
    {"running", "Never", {running("main")}, "Running"},
    {"exit 0", "Never", {ended("main", 0, std::nullopt)}, "Succeeded"},
    {"exit 1", "Never", {ended("main", 1, std::nullopt)}, "Failed"},
    {"one of two still runs", "Never", {ended("main", 1, std::nullopt), running("side")}, "Running"},
    {"OnFailure, exit 1 → would restart", "OnFailure", {ended("main", 1, std::nullopt)}, "Running"},
    {"OnFailure, exit 0", "OnFailure", {ended("main", 0, std::nullopt)}, "Succeeded"},
    {"Always, exit 0 → would restart", "Always", {ended("main", 0, std::nullopt)}, "Running"},
    {"default policy is Always", "", {ended("main", 0, std::nullopt)}, "Running"},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    std::vector<std::string> names;
    for (const auto& c : r.containers)
      names.push_back(c.name);
    auto status = build_pod_status(pod(r.policy, names), seen(r.containers));
    CHECK(status.at("phase") == r.phase);
  }
}

TEST_CASE("a running pod: IPs, start time, ready conditions, container state", "[pod_status]") {
  auto status = build_pod_status(pod(), seen({running("main")}));
  CHECK(status.at("phase") == "Running");
  CHECK(status.at("hostIP") == "192.168.50.2");
  CHECK(status.at("hostIPs") == json::parse(R"([{"ip":"192.168.50.2"}])"));
  CHECK(status.at("podIP") == "10.244.1.5");
  CHECK(status.at("podIPs") == json::parse(R"([{"ip":"10.244.1.5"}])"));
  CHECK(status.at("startTime") == format_time(t0));
  for (const auto* type : {"PodScheduled", "Initialized", "ContainersReady", "Ready"})
    CHECK(condition(status, type) == "True");
  const auto& c = status.at("containerStatuses").at(0);
  CHECK(c.at("name") == "main");
  CHECK(c.at("image") == "img/main");
  CHECK(c.at("imageID") == "");
  CHECK(c.at("ready") == true);
  CHECK(c.at("restartCount") == 0);
  CHECK(state_of(status).at("running").at("startedAt") == "2027-01-15T08:00:01Z");
}

TEST_CASE("terminated containers: exit codes, signals, OOMKilled", "[pod_status]") {
  struct row {
    std::string name;
    container_observation c;
    int exit_code;
    std::string reason;
    std::optional<int> signal;
  };
  std::vector<row> rows = {
    {"exit 0", ended("main", 0, std::nullopt), 0, "Completed", std::nullopt},
    {"exit 3", ended("main", 3, std::nullopt), 3, "Error", std::nullopt},
    {"SIGTERM without exit code → 143", ended("main", std::nullopt, 15), 143, "Error", 15},
    {"OOM killer", ended("main", 137, 9, "OOMKilled"), 137, "OOMKilled", 9},
    {"runtime reason without code", ended("main", std::nullopt, 9, "OOMKilled"), 137, "OOMKilled", 9},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    auto status = build_pod_status(pod(), seen({r.c}));
    const auto& t = state_of(status).at("terminated");
    CHECK(t.at("exitCode") == r.exit_code);
    CHECK(t.at("reason") == r.reason);
    CHECK(t.contains("signal") == r.signal.has_value());
    if (r.signal)
      CHECK(t.at("signal") == *r.signal);
    CHECK(t.at("startedAt") == "2027-01-15T08:00:01Z");
    CHECK(t.at("finishedAt") == "2027-01-15T08:00:02Z");
    CHECK(status.at("containerStatuses").at(0).at("ready") == false);
    CHECK(condition(status, "Ready") == "False");
    CHECK(condition(status, "Ready", "reason") == "PodCompleted");
  }
}

TEST_CASE("pending pods: creating, a retried creation error, a permanent failure", "[pod_status]") {
  SECTION("before the runtime answered") {
    pod_status_input in;
    in.host_ip = "192.168.50.2";
    in.now = t0;
    auto status = build_pod_status(pod(), in);
    CHECK(status.at("phase") == "Pending");
    CHECK(state_of(status).at("waiting").at("reason") == "ContainerCreating");
    CHECK_FALSE(status.contains("podIP"));
    CHECK(condition(status, "Initialized") == "False");
    CHECK(condition(status, "Ready", "reason") == "ContainersNotReady");
    CHECK(condition(status, "Ready", "message") == "containers with unready status: [main]");
  }
  SECTION("a transient run_pod error keeps it Pending with the reason") {
    pod_status_input in;
    in.waiting_reason = "CreateContainerError";
    in.waiting_message = "io_error: no space left";
    in.now = t0;
    auto status = build_pod_status(pod(), in);
    CHECK(status.at("phase") == "Pending");
    CHECK(state_of(status).at("waiting").at("reason") == "CreateContainerError");
    CHECK(state_of(status).at("waiting").at("message") == "io_error: no space left");
  }
  SECTION("a permanent error fails the pod with reason and message") {
    pod_status_input in;
    in.failed_reason = "CreateContainerConfigError";
    in.failed_message = "unsupported: volume type nfs";
    in.now = t0;
    auto status = build_pod_status(pod(), in);
    CHECK(status.at("phase") == "Failed");
    CHECK(status.at("reason") == "CreateContainerConfigError");
    CHECK(status.at("message") == "unsupported: volume type nfs");
    CHECK(state_of(status).at("waiting").at("reason") == "CreateContainerConfigError");
  }
  SECTION("a container the runtime does not report yet waits") {
    auto status = build_pod_status(pod("Never", {"main", "side"}), seen({running("main")}));
    CHECK(status.at("phase") == "Pending");
    CHECK(state_of(status, 1).at("waiting").at("reason") == "ContainerCreating");
    CHECK(condition(status, "Ready", "message") == "containers with unready status: [side]");
  }
}

TEST_CASE("transition times stay while a condition's status stays; others are kept", "[pod_status]") {
  auto p = pod();
  p["status"] = build_pod_status(p, seen({running("main")}));
  p["status"]["conditions"].push_back({{"type", "example.com/Gate"}, {"status", "True"}});
  auto later = seen({ended("main", 0, std::nullopt)});
  later.now = t1;
  auto status = build_pod_status(p, later);
  CHECK(condition(status, "PodScheduled", "lastTransitionTime") == format_time(t0));
  CHECK(condition(status, "Ready", "lastTransitionTime") == format_time(t1));
  CHECK(condition(status, "example.com/Gate") == "True");
  CHECK(status.at("startTime") == format_time(t0));
  SECTION("a terminal phase never goes back") {
    p["status"] = status;
    auto again = seen({running("main")});
    CHECK(build_pod_status(p, again).at("phase") == "Succeeded");
  }
}

TEST_CASE("the Node: labels, capacity with and without KVM, addresses, conditions", "[node_object]") {
  node_description d;
  d.name = "node-1";
  d.ip = "192.168.50.2";
  d.pod_cidr = "10.244.1.0/24";
  d.cpu = "4";
  d.memory = "8Gi";
  d.max_pods = 50;
  d.kvm = true;
  d.kernel_version = "6.1.0";
  d.kubelet_version = "v0.1.0";
  auto n = new_node(d, t0);
  CHECK(n.at("metadata").at("labels").at("kubernetes.io/hostname") == "node-1");
  CHECK(n.at("metadata").at("labels").at("kubernetes.io/os") == "linux");
  CHECK(n.at("spec").at("podCIDR") == "10.244.1.0/24");
  const auto& s = n.at("status");
  CHECK(s.at("capacity") == json::parse(R"({"cpu":"4","memory":"8Gi","pods":"50","devices.kubevirt.io/kvm":"1000"})"));
  CHECK(s.at("allocatable") == s.at("capacity"));
  CHECK(s.at("addresses")
        == json::parse(R"([{"type":"InternalIP","address":"192.168.50.2"},{"type":"Hostname","address":"node-1"}])"));
  CHECK(s.at("nodeInfo").at("kubeletVersion") == "v0.1.0");
  CHECK(s.at("nodeInfo").at("kernelVersion") == "6.1.0");
  std::map<std::string, std::string> conditions;
  for (const auto& c : s.at("conditions"))
    conditions[c.at("type").get<std::string>()] = c.at("status").get<std::string>() + "/" + c.at("reason").get<std::string>();
  CHECK(conditions["Ready"] == "True/KubeletReady");
  CHECK(conditions["MemoryPressure"] == "False/KubeletHasSufficientMemory");
  CHECK(conditions["DiskPressure"] == "False/KubeletHasNoDiskPressure");
  CHECK(conditions["PIDPressure"] == "False/KubeletHasSufficientPID");

  d.kvm = false;
  auto refreshed = refreshed_node(n, d, t1);
  CHECK_FALSE(refreshed.at("status").at("capacity").contains("devices.kubevirt.io/kvm"));
  for (const auto& c : refreshed.at("status").at("conditions")) {
    CHECK(c.at("lastHeartbeatTime") == format_time(t1));
    CHECK(c.at("lastTransitionTime") == format_time(t0));
  }
}

TEST_CASE("the node Lease is held by the node and renewed", "[node_object]") {
  auto lease = new_node_lease("node-1", std::chrono::seconds{40}, t0);
  CHECK(lease.at("metadata").at("namespace") == "kube-node-lease");
  CHECK(lease.at("metadata").at("name") == "node-1");
  CHECK(lease.at("spec").at("holderIdentity") == "node-1");
  CHECK(lease.at("spec").at("leaseDurationSeconds") == 40);
  CHECK(lease.at("spec").at("renewTime") == "2027-01-15T08:00:00.000000Z");
  lease["metadata"]["resourceVersion"] = "7";
  auto renewed = renewed_node_lease(lease, "node-1", std::chrono::seconds{40}, t1);
  CHECK(renewed.at("spec").at("renewTime") == "2027-01-15T08:00:05.000000Z");
  CHECK(renewed.at("metadata").at("resourceVersion") == "7");
}
