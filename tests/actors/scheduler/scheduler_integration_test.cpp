// The embedded scheduler against the real embedded API server over HTTPS: in-process
// (start_scheduler, as `podvisor up` may run it) and as the podvisor-scheduler binary
// (flags, SIGTERM). Nodes and pods are made with the API client; the test waits for
// spec.nodeName, the FailedScheduling Event and the PodScheduled condition, with
// timeouts.

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "actors/scheduler/scheduler_runtime.hpp"
#include "tests/actors/kube/server_env.hpp"
#include "tests/actors/kube/test_support.hpp"

using namespace podvisor;
namespace resources = kube::client::resources;

namespace {

/// Polls `pred` until it holds or `timeout` passes (a condition on the server's state,
/// which offers no notification short of a watch).
bool eventually(const std::function<bool()>& pred, std::chrono::seconds timeout = std::chrono::seconds{30}) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return pred();
}

nlohmann::json node(const std::string& name, const std::string& cpu, const std::string& memory) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
          {"status",
           {{"allocatable", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}}},
            {"capacity", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

nlohmann::json pod(const std::string& name, const std::string& cpu, const std::string& memory) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec",
           {{"containers",
             {{{"name", "c"}, {"image", "busybox"}, {"resources", {{"requests", {{"cpu", cpu}, {"memory", memory}}}}}}}}}}};
}

std::string node_of(kube::client::api_client& c, const std::string& name) {
  auto p = c.get(resources::pods(), "default", name);
  return p ? (*p)["spec"].value("nodeName", "") : std::string{};
}

nlohmann::json failed_scheduling(kube::client::api_client& c, const std::string& name) {
  kube::client::list_options opts;
  opts.field_selector = "involvedObject.name=" + name + ",reason=FailedScheduling";
  auto events = c.list(resources::events(), "default", opts);
  return events && !events->items.empty() ? events->items.front() : nlohmann::json::object();
}

nlohmann::json pod_scheduled(kube::client::api_client& c, const std::string& name) {
  auto p = c.get(resources::pods(), "default", name);
  if (p && (*p)["status"].contains("conditions"))
    for (const auto& cond : (*p)["status"]["conditions"])
      if (cond["type"] == "PodScheduled")
        return cond;
  return nlohmann::json::object();
}

} // namespace

TEST_CASE("scheduler in-process: binds, reports an unschedulable pod, binds it when a node fits",
          "[actors][scheduler][integration]") {
  test::kube_server server;
  auto api = server.client();
  REQUIRE(api->create(resources::nodes(), "", node("small", "2", "2Gi")));
  REQUIRE(api->create(resources::nodes(), "", node("medium", "4", "4Gi")));
  REQUIRE(api->create(resources::pods(), "default", pod("web", "1", "3Gi")));
  REQUIRE(api->create(resources::pods(), "default", pod("vm", "1", "8Gi")));

  test::threaded_system ts;
  auto rt = actors::scheduler::start_scheduler(ts.sys, server.client(), {});
  struct stopper {
    actors::scheduler::scheduler_runtime& rt;
    ~stopper() { rt.stop(); }
  } stop_at_end{rt};

  CHECK(eventually([&] { return node_of(*api, "web") == "medium"; }));
  const std::string message = "0/2 nodes are available: 2 Insufficient memory.";
  CHECK(eventually([&] { return failed_scheduling(*api, "vm").value("message", "") == message; }));
  auto event = failed_scheduling(*api, "vm");
  CHECK(event["type"] == "Warning");
  CHECK(event["involvedObject"]["kind"] == "Pod");
  CHECK(event["source"]["component"] == "default-scheduler");
  CHECK(eventually([&] { return pod_scheduled(*api, "vm").value("reason", "") == "Unschedulable"; }));
  auto condition = pod_scheduled(*api, "vm");
  CHECK(condition["status"] == "False");
  CHECK(condition["message"] == message);
  CHECK(node_of(*api, "vm").empty());

  // A node with room arrives: the pending pod goes there.
  REQUIRE(api->create(resources::nodes(), "", node("large", "8", "16Gi")));
  CHECK(eventually([&] { return node_of(*api, "vm") == "large"; }));
}

TEST_CASE("podvisor-scheduler: binds pods and exits 0 on SIGTERM", "[actors][scheduler][integration]") {
  test::kube_server server;
  auto api = server.client();
  REQUIRE(api->create(resources::nodes(), "", node("n1", "4", "8Gi")));
  auto p = pod("web", "1", "1Gi");
  p["spec"]["schedulerName"] = "podvisor";
  REQUIRE(api->create(resources::pods(), "default", p));
  REQUIRE(api->create(resources::pods(), "default", pod("not-ours", "1", "1Gi")));

  auto kubeconfig = server.server().admin_kubeconfig().string();
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    execl(PODVISOR_SCHEDULER_BINARY, "podvisor-scheduler", "--kubeconfig", kubeconfig.c_str(), "--scheduler-name",
          "podvisor", "--leader-elect", "--lease-namespace", "default", static_cast<char*>(nullptr));
    _exit(127);
  }
  struct reaper {
    pid_t pid;
    bool done = false;
    ~reaper() {
      if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
  } reap{child};

  CHECK(eventually([&] { return node_of(*api, "web") == "n1"; }));
  auto lease = api->get(resources::leases(), "default", "podvisor");
  REQUIRE(lease);
  CHECK_FALSE((*lease)["spec"].value("holderIdentity", "").empty());
  CHECK(node_of(*api, "not-ours").empty());

  REQUIRE(kill(child, SIGTERM) == 0);
  int status = 0;
  bool exited = eventually(
    [&] {
      if (waitpid(child, &status, WNOHANG) == child)
        reap.done = true;
      return reap.done;
    },
    std::chrono::seconds{20});
  REQUIRE(exited);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // The lease was handed back on the way out.
  lease = api->get(resources::leases(), "default", "podvisor");
  REQUIRE(lease);
  CHECK((*lease)["spec"].value("holderIdentity", "").empty());
}

TEST_CASE("podvisor-scheduler: bad flags and a missing kubeconfig are refused clearly",
          "[actors][scheduler][integration]") {
  auto run = [](const std::string& args) {
    std::string cmd = std::string(PODVISOR_SCHEDULER_BINARY) + " " + args + " >/dev/null 2>&1";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  CHECK(run("--help") == 0);
  CHECK(run("--bogus") == 2);
  CHECK(run("--scheduler-name") == 2);
  CHECK(run("--scheduler-name=") == 2);
  CHECK(run("--leader-elect=maybe") == 2);
  CHECK(run("--kubeconfig /nonexistent/kubeconfig") == 1);
}
