// Phase 1 of the pod network bindings (issue 6 goal: ≤ 20 ms, median over 100 runs).
// Needs root. Every run gets a fresh "pod" network namespace made like a CNI plugin
// would (veth to a "node" namespace, 10.244.1.5/24, default route, MTU 1450) and then
// times, from the agent's side, one call of setup_{bridge,masquerade}_binding on that
// namespace: entering it on a new thread, discovery, resolv.conf, every netlink step,
// the tap ioctls, sysctls, the nftables load (masquerade) and both atomic writes of the
// cached result (with fsync). The idempotent re-run and the teardown are timed too.
// Namespace creation and removal are not timed. Namespaces are always removed.
//
//   build/bench/bench_net_binding [--quick] [--runs N] [--out FILE]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/temp_dir.hpp"
#include "net/binding/bridge_binding.hpp"
#include "net/binding/masquerade_binding.hpp"
#include "net/binding/teardown.hpp"

namespace {

using namespace podvisor;
using namespace podvisor::net::binding;
using clock_type = std::chrono::steady_clock;

bool sh(const std::string& cmd) {
  return std::system(cmd.c_str()) == 0;
}

/// A pod and a node namespace for one run, removed by the destructor.
struct fresh_pod {
  std::string pod;
  std::string node;
  bool ok = false;

  explicit fresh_pod(int run) {
    auto base = "podvisor-bench-" + std::to_string(::getpid()) + "-" + std::to_string(run);
    pod = base + "-pod";
    node = base + "-node";
    ok = sh("set -e; ip netns add " + pod + "; ip netns add " + node + "; ip -n " + pod + " link set lo up;" +
            " ip link add eth0 netns " + pod + " mtu 1450 type veth peer name veth-pod mtu 1450 netns " + node + ";" +
            " ip -n " + pod + " addr add 10.244.1.5/24 dev eth0; ip -n " + pod + " link set eth0 up;" + " ip -n " + pod +
            " route add default via 10.244.1.1 dev eth0; ip -n " + node + " link set veth-pod up");
  }
  ~fresh_pod() {
    sh("ip netns del " + pod + " 2>/dev/null; ip netns del " + node + " 2>/dev/null");
  }
};

struct summary {
  double median = 0, p90 = 0, min = 0, max = 0;
};

summary summarize(std::vector<double> v) {
  summary s;
  if (v.empty())
    return s;
  std::sort(v.begin(), v.end());
  s.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  s.p90 = v[std::min(v.size() - 1, v.size() * 9 / 10)];
  s.min = v.front();
  s.max = v.back();
  return s;
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

struct series {
  std::vector<double> phase1, rerun, teardown;
  int failed = 0;
};

/// Runs `runs` times: fresh namespace, phase 1 (timed), re-run (timed), teardown (timed).
series measure(const std::string& name, int runs,
               const std::function<expected<binding_state>(const netns_ref&, const std::filesystem::path&,
                                                           const std::filesystem::path&)>& setup) {
  series out;
  scoped_temp_dir dir{"podvisor-bench-binding-"};
  auto resolv = dir.write("resolv.conf", "search default.svc.cluster.local svc.cluster.local cluster.local\n"
                                         "nameserver 10.96.0.10\noptions ndots:5\n");
  for (int i = 0; i < runs; ++i) {
    fresh_pod pod{i};
    if (!pod.ok) {
      ++out.failed;
      continue;
    }
    auto ns = netns_ref::named(pod.pod);
    auto state = dir.path() / (name + "-" + std::to_string(i) + ".json");
    auto t0 = clock_type::now();
    auto s = setup(ns, resolv, state);
    double first = ms_since(t0);
    if (!s) {
      std::fprintf(stderr, "bench_net_binding: %s: %s\n", name.c_str(), s.error().to_string().c_str());
      ++out.failed;
      continue;
    }
    t0 = clock_type::now();
    auto again = setup(ns, resolv, state);
    double second = ms_since(t0);
    t0 = clock_type::now();
    auto down = teardown_binding(ns, state);
    double third = ms_since(t0);
    if (!again || !down.ok()) {
      ++out.failed;
      continue;
    }
    out.phase1.push_back(first);
    out.rerun.push_back(second);
    out.teardown.push_back(third);
  }
  return out;
}

nlohmann::json report(const char* label, const series& s, int runs) {
  auto p1 = summarize(s.phase1);
  auto re = summarize(s.rerun);
  auto td = summarize(s.teardown);
  std::printf("  %-11s phase 1 median %6.2f ms (p90 %6.2f, min %6.2f, max %6.2f)  goal ≤ 20 ms  %s\n", label, p1.median,
              p1.p90, p1.min, p1.max, !s.phase1.empty() && p1.median <= 20.0 ? "met" : "NOT MET");
  std::printf("  %-11s re-run  median %6.2f ms, teardown median %6.2f ms; %d/%d runs ok\n", "", re.median, td.median,
              static_cast<int>(s.phase1.size()), runs);
  auto j = [](const summary& x) { return nlohmann::json{{"median", x.median}, {"p90", x.p90}, {"min", x.min}, {"max", x.max}}; };
  return {{"runs", runs},
          {"ok", s.phase1.size()},
          {"failed", s.failed},
          {"phase1_ms", j(p1)},
          {"rerun_ms", j(re)},
          {"teardown_ms", j(td)},
          {"goal_phase1_median_ms", 20},
          {"goal_met", !s.phase1.empty() && p1.median <= 20.0}};
}

} // namespace

int main(int argc, char** argv) {
  int runs = 100;
  std::filesystem::path out = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "net_binding_bench.json";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick")
      runs = 3;
    else if (arg == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--out" && i + 1 < argc)
      out = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--quick] [--runs N] [--out FILE]\n", argv[0]);
      return 2;
    }
  }

  std::printf("Pod network binding phase 1: %d runs per binding, each in a fresh pod namespace\n", runs);
  auto bridge = measure("bridge", runs, [](const netns_ref& ns, const std::filesystem::path& resolv,
                                           const std::filesystem::path& state) {
    bridge_options o;
    o.discovery.resolv_conf = resolv;
    o.tap_owner = 107;
    o.hostname = "web-1";
    o.state_path = state;
    return setup_bridge_binding(ns, o);
  });
  auto bridge_json = report("bridge", bridge, runs);
  auto masq = measure("masquerade", runs, [](const netns_ref& ns, const std::filesystem::path& resolv,
                                             const std::filesystem::path& state) {
    masquerade_options o;
    o.discovery.resolv_conf = resolv;
    o.tap_owner = 107;
    o.hostname = "web-1";
    o.excluded_ports = {{l4_protocol::tcp, 8443}};
    o.state_path = state;
    return setup_masquerade_binding(ns, o);
  });
  auto masq_json = report("masquerade", masq, runs);

  nlohmann::json j = {{"benchmark", "net_binding"}, {"bridge", bridge_json}, {"masquerade", masq_json}};
  std::ofstream f{out};
  f << j.dump(2) << "\n";
  if (!f) {
    std::fprintf(stderr, "bench_net_binding: cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("written to %s\n", out.c_str());
  return bridge.phase1.empty() || masq.phase1.empty() ? 1 : 0;
}
