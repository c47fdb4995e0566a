// The sandbox runtime on a real two-node cluster network: pods on different nodes talk
// by pod IP, the host reaches them, a memory hog is OOM killed, volumes are visible only
// inside the pod, SIGTERM's exit code is observed, a new runtime re-adopts running
// containers, and removal leaves no process, mount, veth or cgroup behind. Every test
// removes its pods and the network even when it fails.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "common/temp_dir.hpp"
#include "kube/podlet/cgroup.hpp"
#include "kube/podlet/cluster_network.hpp"
#include "kube/podlet/container_record.hpp"
#include "kube/podlet/host_command.hpp"
#include "kube/podlet/mounts.hpp"
#include "kube/podlet/sandbox_runtime.hpp"

using namespace podvisor;
using namespace podvisor::kube::podlet;
using nlohmann::json;
namespace fs = std::filesystem;

/// REQUIRE for an expected<T>, showing the error when there is one.
#define REQUIRE_OK(x)                                                                                                  \
  do {                                                                                                                 \
    INFO(((x).has_value() ? std::string{} : (x).error().to_string()));                                                 \
    REQUIRE((x).has_value());                                                                                          \
  } while (false)

namespace {

const std::string shim = PODVISOR_BINARY_DIR "/bin/podvisor-shim";

bool eventually(const std::function<bool()>& done, std::chrono::seconds timeout = std::chrono::seconds{30}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return true;
}

json make_pod(const std::string& uid, json containers, json volumes = json::array()) {
  return json{{"metadata", {{"name", "p-" + uid}, {"namespace", "default"}, {"uid", uid}}},
              {"spec", {{"nodeName", "node-0"}, {"containers", containers}, {"volumes", volumes}}}};
}

json sh(const std::string& name, const std::string& script) {
  return json{{"name", name}, {"command", {"/bin/sh", "-c", script}}};
}

/// A cluster network of two nodes and a runtime on each, all removed at the end.
struct cluster_fixture {
  scoped_temp_dir dir{"podlet-rt-"};
  cluster_network_config net_config;
  cluster_network net;
  std::vector<std::unique_ptr<pod_runtime>> runtimes;
  std::map<std::string, json> objects; // "Kind/ns/name" → object for the resolver

  cluster_fixture() {
    net_config.id = "t2";
    net_config.state_dir = dir.path() / "cluster";
    net_config.cluster_cidr = "10.97.0.0/16";
    auto n = create_cluster_network(net_config);
    REQUIRE_OK(n);
    net = *n;
    for (const auto& node : net.nodes)
      runtimes.push_back(make(node));
  }

  std::unique_ptr<pod_runtime> make(const simulated_node& node) {
    sandbox_runtime_config c;
    c.node_name = node.name;
    c.node_netns = node.netns_path.string();
    c.node_bridge = node.bridge;
    c.gateway = node.gateway;
    c.pod_cidr = node.pod_cidr;
    c.node_ip = node.node_ip;
    c.state_dir = dir.path() / ("state-" + node.name);
    c.shim_path = shim;
    c.resolve = [this](const std::string& kind, const std::string& ns, const std::string& name) -> expected<json> {
      auto it = objects.find(kind + "/" + ns + "/" + name);
      if (it == objects.end())
        return error{errc::not_found, kind + " " + name};
      return it->second;
    };
    auto rt = make_sandbox_runtime(c);
    REQUIRE_OK(rt);
    return std::move(*rt);
  }

  fs::path state(std::size_t node) const { return dir.path() / ("state-" + net.nodes[node].name); }
  std::string log(std::size_t node, const std::string& uid, const std::string& c) const {
    auto t = read_text((state(node) / "pods" / uid / "logs" / (c + ".log")).string());
    return t ? *t : std::string{};
  }

  ~cluster_fixture() {
    for (auto& rt : runtimes)
      for (const auto& uid : rt->list_pods())
        (void)rt->remove_pod(uid);
    for (std::size_t i = 0; i < runtimes.size(); ++i)
      (void)unmount_tree(state(i));
    (void)remove_cluster_network(net_config);
    (void)unmount_tree(dir.path());
  }
};

container_observation wait_terminated(pod_runtime& rt, const std::string& uid) {
  container_observation last;
  eventually([&] {
    auto o = rt.observe(uid);
    if (!o || o->containers.empty())
      return false;
    last = o->containers[0];
    return last.current == container_observation::state::terminated;
  });
  return last;
}

} // namespace

TEST_CASE("pods on two nodes reach each other and the host reaches them by pod IP") {
  cluster_fixture f;
  scoped_temp_dir www{"podlet-www-"};
  www.write("marker.txt", "hello from node-1\n");

  json server = make_pod("srv", json::array({{{"name", "http"},
                                               {"command", {"/usr/bin/python3", "-m", "http.server", "8080"}},
                                               {"workingDir", www.path().string()}}}));
  server["spec"]["nodeName"] = "node-1";
  auto srv = f.runtimes[1]->run_pod(server);
  REQUIRE_OK(srv);
  CHECK(srv->sandbox_ready);
  CHECK(srv->pod_ip.rfind("10.97.2.", 0) == 0);
  const std::string url = "http://" + srv->pod_ip + ":8080/marker.txt";

  // The host, through its route to node-1's pod CIDR.
  INFO("server log: " << f.log(1, "srv", "http"));
  CHECK(eventually([&] {
    auto r = run_command({"curl", "-sS", "-m", "2", url});
    return r && r->find("hello from node-1") != std::string::npos;
  }));

  // A pod on node-0, through node-0's route via node-1.
  auto cli = f.runtimes[0]->run_pod(
      make_pod("cli", json::array({sh("get", "until curl -sS -m 2 " + url + "; do sleep 0.2; done")})));
  REQUIRE_OK(cli);
  CHECK(cli->pod_ip.rfind("10.97.1.", 0) == 0);
  auto done = wait_terminated(*f.runtimes[0], "cli");
  CHECK(done.reason == "Completed");
  CHECK(done.exit_code == 0);
  CHECK(f.log(0, "cli", "get").find("hello from node-1") != std::string::npos);
}

TEST_CASE("a pod over its memory limit is observed as OOMKilled") {
  cluster_fixture f;
  json c{{"name", "hog"},
         {"command", {"/usr/bin/python3", "-c", "x = bytearray(512 * 1024 * 1024)\nprint('survived')"}},
         {"resources", {{"limits", {{"memory", "64Mi"}}}}}};
  auto pod = f.runtimes[0]->run_pod(make_pod("hog", json::array({c})));
  REQUIRE_OK(pod);
  auto done = wait_terminated(*f.runtimes[0], "hog");
  CHECK(done.reason == "OOMKilled");
  CHECK(done.signal == SIGKILL);
  CHECK(done.exit_code == 137);
}

TEST_CASE("volumes are mounted at their mountPath inside the pod only") {
  cluster_fixture f;
  scoped_temp_dir mp{"podlet-mp-"};
  for (const char* d : {"cm", "sec", "ed", "mem", "ro", "sub"})
    fs::create_directories(mp.path() / d);
  scoped_temp_dir host{"podlet-host-"};
  host.write("h.txt", "from host\n");
  f.objects["ConfigMap/default/cfg"] = json{{"data", {{"greeting", "hi there"}}}};
  f.objects["Secret/default/sec"] = json{{"data", {{"password", "czNjcjN0"}}}}; // "s3cr3t"
  const std::string m = mp.path().string();
  json c = sh("v", "cat " + m + "/cm/greeting; echo; cat " + m + "/sec/password; echo; cat " + m +
                       "/ro/h.txt; echo x > " + m + "/ed/f && echo ed-writable; echo x > " + m +
                       "/ro/f || echo ro-refused; stat -f -c %T " + m + "/mem; stat -c %a " + m + "/cm/greeting; echo y > " + m + "/sub/g && ls " + m + "/ed/deep/er");
  c["volumeMounts"] = json::array({{{"name", "cm"}, {"mountPath", m + "/cm"}},
                                   {{"name", "sec"}, {"mountPath", m + "/sec"}},
                                   {{"name", "ed"}, {"mountPath", m + "/ed"}},
                                   {{"name", "mem"}, {"mountPath", m + "/mem"}},
                                   {{"name", "host"}, {"mountPath", m + "/ro"}, {"readOnly", true}},
                                   {{"name", "ed"}, {"mountPath", m + "/sub"}, {"subPath", "deep/er"}}});
  json volumes = json::array({{{"name", "cm"}, {"configMap", {{"name", "cfg"}, {"defaultMode", 0440}}}},
                              {{"name", "sec"}, {"secret", {{"secretName", "sec"}}}},
                              {{"name", "ed"}, {"emptyDir", json::object()}},
                              {{"name", "mem"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "16Mi"}}}},
                              {{"name", "host"}, {"hostPath", {{"path", host.path().string()}, {"type", "Directory"}}}}});
  auto pod = f.runtimes[0]->run_pod(make_pod("vol", json::array({c}), volumes));
  REQUIRE_OK(pod);
  auto done = wait_terminated(*f.runtimes[0], "vol");
  CHECK(done.exit_code == 0);
  const auto out = f.log(0, "vol", "v");
  INFO(out);
  CHECK(out.find("hi there") != std::string::npos);
  CHECK(out.find("s3cr3t") != std::string::npos);
  CHECK(out.find("from host") != std::string::npos);
  CHECK(out.find("ed-writable") != std::string::npos);
  CHECK(out.find("ro-refused") != std::string::npos);
  CHECK(out.find("tmpfs") != std::string::npos);
  CHECK(out.find("440") != std::string::npos);
  CHECK(out.find("\ng\n") != std::string::npos); // written through the subPath mount
  // Outside the pod the mount points are the empty directories they were.
  for (const char* d : {"cm", "sec", "ed", "mem", "ro", "sub"})
    CHECK(fs::is_empty(mp.path() / d));
  CHECK_FALSE(fs::exists(host.path() / "f"));
}

TEST_CASE("SIGTERM's exit code is observed and a new runtime re-adopts running containers") {
  cluster_fixture f;
  auto pod = f.runtimes[0]->run_pod(make_pod(
      "term", json::array({sh("main", "trap 'exit 7' TERM; echo ready; while true; do sleep 0.1; done")})));
  REQUIRE_OK(pod);
  REQUIRE(pod->containers.size() == 1);
  REQUIRE(pod->containers[0].current == container_observation::state::running);
  const int pid = pod->containers[0].pid;
  CHECK(pid > 0);
  REQUIRE(eventually([&] { return f.log(0, "term", "main").find("ready") != std::string::npos; }));

  // A podlet restart: the old runtime object is gone, the container is not.
  f.runtimes[0].reset();
  f.runtimes[0] = f.make(f.net.nodes[0]);
  CHECK(f.runtimes[0]->list_pods() == std::vector<std::string>{"term"});
  auto again = f.runtimes[0]->observe("term");
  REQUIRE_OK(again);
  CHECK(again->containers[0].current == container_observation::state::running);
  CHECK(again->containers[0].pid == pid);
  // run_pod of an existing pod only observes it.
  auto same = f.runtimes[0]->run_pod(make_pod("term", json::array({sh("main", "exit 1")})));
  REQUIRE_OK(same);
  CHECK(same->containers[0].pid == pid);

  REQUIRE_FALSE(f.runtimes[0]->signal_pod("term", SIGTERM));
  auto done = wait_terminated(*f.runtimes[0], "term");
  CHECK(done.exit_code == 7);
  CHECK(done.reason == "Error");
  CHECK(done.finished_at_ns >= done.started_at_ns);
}

TEST_CASE("remove_pod leaves no process, mount, veth, namespace or cgroup") {
  cluster_fixture f;
  auto pod = f.runtimes[0]->run_pod(make_pod("rm", json::array({sh("a", "sleep 300"), sh("b", "sleep 300")})));
  REQUIRE_OK(pod);
  std::vector<int> pids;
  for (const auto& c : pod->containers)
    pids.push_back(c.pid);
  auto cg = locate_pod_cgroup("node-0", "rm");
  REQUIRE_OK(cg);
  for (const auto& d : cg->dirs)
    CHECK(fs::exists(d));
  const auto node_ns = f.net.nodes[0].netns_path.string();
  auto links = run_command(in_netns(node_ns, {"ip", "-br", "link"}));
  REQUIRE_OK(links);
  CHECK(links->find("pv") != std::string::npos);
  CHECK_FALSE(mounts_under(f.state(0) / "pods" / "rm").empty());

  REQUIRE_FALSE(f.runtimes[0]->remove_pod("rm"));
  for (int pid : pids)
    CHECK_FALSE(fs::exists("/proc/" + std::to_string(pid)));
  for (const auto& d : cg->dirs)
    CHECK_FALSE(fs::exists(d));
  CHECK(mounts_under(f.state(0) / "pods").empty());
  CHECK_FALSE(fs::exists(f.state(0) / "pods" / "rm"));
  links = run_command(in_netns(node_ns, {"ip", "-br", "link"}));
  REQUIRE_OK(links);
  CHECK(links->find("pv") == std::string::npos);
  CHECK(f.runtimes[0]->list_pods().empty());
  CHECK_FALSE(f.runtimes[0]->remove_pod("rm"));
  CHECK(f.runtimes[0]->observe("rm").error().code == errc::not_found);
}

TEST_CASE("pods the node cannot run are refused with a message and leave nothing") {
  cluster_fixture f;
  json nfs = json::array({{{"name", "data"}, {"nfs", {{"server", "x"}, {"path", "/"}}}}});
  auto r = f.runtimes[0]->run_pod(make_pod("bad1", json::array({sh("c", "true")}), nfs));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::unsupported);
  CHECK(r.error().to_string().find("volume 'data' of type nfs") != std::string::npos);

  auto missing = f.runtimes[0]->run_pod(
      make_pod("bad2", json::array({{{"name", "c"}, {"command", {"no-such-program-podvisor"}}}})));
  REQUIRE_FALSE(missing.has_value());
  INFO(missing.error().to_string());
  CHECK(missing.error().to_string().find("no-such-program-podvisor") != std::string::npos);
  CHECK(f.runtimes[0]->list_pods().empty());
  CHECK(mounts_under(f.state(0) / "pods").empty());
}

TEST_CASE("pods started side by side on one node get distinct addresses and all run") {
  cluster_fixture f;
  constexpr int pods = 8;
  std::vector<expected<pod_observation>> results(pods, error{errc::internal, "not run"});
  {
    std::vector<std::thread> starters;
    for (int i = 0; i < pods; ++i)
      starters.emplace_back([&, i] {
        results[i] = f.runtimes[0]->run_pod(
            make_pod("burst" + std::to_string(i), json::array({sh("c", "exec sleep 300")})));
      });
    for (auto& t : starters)
      t.join();
  }
  std::set<std::string> ips;
  for (const auto& r : results) {
    REQUIRE_OK(r);
    CHECK(r->sandbox_ready);
    REQUIRE(r->containers.size() == 1);
    CHECK(r->containers[0].current == container_observation::state::running);
    ips.insert(r->pod_ip);
  }
  CHECK(ips.size() == static_cast<std::size_t>(pods));
  // Every pod's own namespace holds its own address, and its veth is on the node bridge.
  for (int i = 0; i < pods; ++i) {
    const auto net = (f.state(0) / "pods" / ("burst" + std::to_string(i)) / "net").string();
    auto addr = run_command(in_netns(net, {"ip", "-4", "-br", "addr", "show", "eth0"}));
    REQUIRE_OK(addr);
    INFO(*addr);
    CHECK(addr->find(results[i]->pod_ip + "/") != std::string::npos);
  }
  auto bridged = run_command(in_netns(f.net.nodes[0].netns_path.string(),
                                      {"ip", "-br", "link", "show", "master", f.net.nodes[0].bridge}));
  REQUIRE_OK(bridged);
  CHECK(static_cast<int>(std::count(bridged->begin(), bridged->end(), '\n')) == pods);
  // Removed side by side as well, leaving nothing.
  {
    std::vector<std::thread> removers;
    for (int i = 0; i < pods; ++i)
      removers.emplace_back([&, i] { CHECK_FALSE(f.runtimes[0]->remove_pod("burst" + std::to_string(i))); });
    for (auto& t : removers)
      t.join();
  }
  CHECK(f.runtimes[0]->list_pods().empty());
  CHECK(mounts_under(f.state(0) / "pods").empty());
}
