// podvisor-controller: KubeVirt's virt-controller for Podvisor. Parses flags, connects to
// the API server, and runs the controllers of actors/controller while this replica
// holds the Lease (or always, with --leader-elect=false); exits cleanly on SIGTERM/SIGINT.

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/controller/controller_context.hpp"
#include "actors/controller/node_controller.hpp"
#include "actors/controller/vm_controller.hpp"
#include "actors/controller/vmi_controller.hpp"
#include "actors/kube/api_executor.hpp"
#include "actors/kube/leader_elector.hpp"
#include "actors/system/config.hpp"
#include "common/log.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"
#include "podvisor/version.hpp"
#include "virt/kvm_probe.hpp"

namespace {

using namespace podvisor;

constexpr int exit_usage = 2;

constexpr const char* usage = R"(podvisor-controller — Podvisor's virt-controller

Reconciles VirtualMachineInstances into launcher pods (a `compute` container running
podvisor-launcher with the VMI's resources plus the launcher's overhead, its scheduling
constraints, labels and an owner reference) and drives their phases Pending →
Scheduling → Scheduled; fails VMIs whose pod fails or vanishes; deletes the pod of a
deleted VMI with its grace period.

Usage:
  podvisor-controller [--kubeconfig FILE] [flags]

Flags:
  --kubeconfig FILE       API server and credentials (default: $KUBECONFIG, the
                          in-cluster service account, then ~/.kube/config)
  --namespace NS          the controller's namespace, where its Lease lives
                          (default kube-system)
  --launcher-binary PATH  podvisor-launcher as the nodes run it (default: the
                          podvisor-launcher beside this binary)
  --launcher-work-dir DIR where launcher pods mount their private emptyDir (default
                          /var/run/kubevirt-private; must exist on the nodes)
  --agent-dir DIR         the node agent's per-VMI directories on the nodes; launcher
                          pods mount DIR/<vmi uid> and wait for the agent's start
                          (default /var/run/podvisor/vmis)
  --no-agent              no node agent runs: launchers start their VMs on their own
  --capabilities-cache DIR  the nodes' QEMU capabilities cache, shared by the launcher
                          pods of a node so that only the first VM pays libvirt's QEMU
                          probe (default /var/cache/podvisor/qemu-capabilities; "none":
                          every launcher probes)
  --await-start SECONDS   how long a launcher waits for the agent (default 300)
  --image-dir DIR         where container images (kernelBoot, containerDisk) are
                          unpacked on the nodes, one directory per image reference
                          (default: none; VMIs that need an image are refused)
  --kvm auto|on|off       launcher pods ask for devices.kubevirt.io/kvm (on) or run
                          under software emulation (off); auto probes KVM here
                          (default auto)
  --leader-elect[=BOOL]   reconcile only while holding the Lease (default true)
  --identity ID           this replica in the Lease (default: host name + pid)
  --workers N             syncs in flight per controller (default 3)
  --node-monitor-grace-period SECONDS
                          a node whose heartbeat (Lease, Ready condition) stands
                          still this long is marked not ready and its VMIs fail
                          (default 40)
  --log-level SPEC        e.g. info, or warn,controller=debug (also PODVISOR_LOG)
  -h, --help              this help
  --version               print the version

Exit codes: 0 after SIGTERM/SIGINT, 1 on a failure or when leadership is lost,
2 for bad flags.
)";

struct options {
  std::string kubeconfig;
  std::string namespace_ = "kube-system";
  std::string launcher_binary;
  std::string launcher_work_dir;
  std::string kvm = "auto";
  std::string agent_dir = podvisor::actors::controller::default_agent_dir;
  std::string capabilities_cache = podvisor::actors::controller::default_capabilities_cache;
  bool agent = true;
  std::int64_t await_start = 300;
  std::string image_dir;
  bool leader_elect = true;
  std::string identity;
  std::size_t workers = 3;
  std::string log_level;
  std::chrono::seconds node_grace{40};
};

std::string default_launcher_binary() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    return "podvisor-launcher";
  return (self.parent_path() / "podvisor-launcher").string();
}

/// Parses the flags; prints the reason and returns nothing on bad ones (`exit_code`: 0
/// for --help/--version, 2 otherwise).
std::optional<options> parse(int argc, char** argv, int& exit_code) {
  options o;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  exit_code = exit_usage;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
      inline_value = std::string(a.substr(eq + 1));
      a = a.substr(0, eq);
      has_inline = true;
    }
    if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      exit_code = 0;
      return std::nullopt;
    }
    if (a == "--version") {
      std::printf("podvisor-controller %s\n", podvisor::version_string);
      exit_code = 0;
      return std::nullopt;
    }
    if (a == "--leader-elect") {
      if (has_inline && inline_value != "true" && inline_value != "false") {
        std::fprintf(stderr, "podvisor-controller: --leader-elect takes true or false\n");
        return std::nullopt;
      }
      o.leader_elect = !has_inline || inline_value == "true";
      continue;
    }
    if (a == "--no-agent" && !has_inline) {
      o.agent = false;
      continue;
    }
    if (a != "--kubeconfig" && a != "--namespace" && a != "--launcher-binary" && a != "--launcher-work-dir" &&
        a != "--kvm" && a != "--identity" && a != "--workers" && a != "--log-level" &&
        a != "--node-monitor-grace-period" && a != "--agent-dir" && a != "--await-start" && a != "--image-dir" &&
        a != "--capabilities-cache") {
      std::fprintf(stderr, "podvisor-controller: unknown flag \"%.*s\"; see --help\n", static_cast<int>(a.size()),
                   a.data());
      return std::nullopt;
    }
    std::string v;
    if (has_inline) {
      v = inline_value;
    } else if (i + 1 < args.size()) {
      v = std::string(args[++i]);
    } else {
      std::fprintf(stderr, "podvisor-controller: %.*s needs a value\n", static_cast<int>(a.size()), a.data());
      return std::nullopt;
    }
    if (v.empty()) {
      std::fprintf(stderr, "podvisor-controller: %.*s must not be empty\n", static_cast<int>(a.size()), a.data());
      return std::nullopt;
    }
    if (a == "--kubeconfig") {
      o.kubeconfig = v;
    } else if (a == "--namespace") {
      o.namespace_ = v;
    } else if (a == "--launcher-binary") {
      o.launcher_binary = v;
    } else if (a == "--launcher-work-dir") {
      if (v.front() != '/') {
        std::fprintf(stderr, "podvisor-controller: --launcher-work-dir must be an absolute path, not \"%s\"\n", v.c_str());
        return std::nullopt;
      }
      o.launcher_work_dir = v;
    } else if (a == "--agent-dir" || a == "--image-dir") {
      if (v.front() != '/') {
        std::fprintf(stderr, "podvisor-controller: %.*s must be an absolute path, not \"%s\"\n",
                     static_cast<int>(a.size()), a.data(), v.c_str());
        return std::nullopt;
      }
      (a == "--agent-dir" ? o.agent_dir : o.image_dir) = v;
    } else if (a == "--capabilities-cache") {
      if (v != "none" && v.front() != '/') {
        std::fprintf(stderr, "podvisor-controller: --capabilities-cache takes an absolute path or none, not \"%s\"\n",
                     v.c_str());
        return std::nullopt;
      }
      o.capabilities_cache = v == "none" ? std::string{} : v;
    } else if (a == "--await-start") {
      if (v.find_first_not_of("0123456789") != std::string::npos || v.size() > 5 || std::stoul(v) == 0) {
        std::fprintf(stderr, "podvisor-controller: --await-start takes seconds (1 to 99999), not \"%s\"\n", v.c_str());
        return std::nullopt;
      }
      o.await_start = static_cast<std::int64_t>(std::stoul(v));
    } else if (a == "--kvm") {
      if (v != "auto" && v != "on" && v != "off") {
        std::fprintf(stderr, "podvisor-controller: --kvm takes auto, on or off, not \"%s\"\n", v.c_str());
        return std::nullopt;
      }
      o.kvm = v;
    } else if (a == "--identity") {
      o.identity = v;
    } else if (a == "--workers") {
      if (v.find_first_not_of("0123456789") != std::string::npos || v.size() > 4 || std::stoul(v) == 0) {
        std::fprintf(stderr, "podvisor-controller: --workers takes a number from 1 to 9999, not \"%s\"\n", v.c_str());
        return std::nullopt;
      }
      o.workers = std::stoul(v);
    } else if (a == "--node-monitor-grace-period") {
      if (v.ends_with('s'))
        v.pop_back();
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 6 || std::stoul(v) == 0) {
        std::fprintf(stderr, "podvisor-controller: --node-monitor-grace-period takes seconds (1 to 999999)\n");
        return std::nullopt;
      }
      o.node_grace = std::chrono::seconds{std::stoul(v)};
    } else {
      o.log_level = v;
    }
  }
  if (o.launcher_binary.empty())
    o.launcher_binary = default_launcher_binary();
  if (o.identity.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    o.identity = std::string(host) + "_" + std::to_string(getpid());
  }
  exit_code = 0;
  return o;
}

// Signals are blocked in every thread (before the actor system starts its threads) and
// taken by the main thread with sigwait. SIGUSR1 is "leadership lost", SIGUSR2
// "leadership gained": the controllers are started on the main thread, not inside the
// gate's message handler (started from there they never came up).
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  return set;
}

} // namespace

int main(int argc, char** argv) {
  // Every thread (CAF's workers, the detached API executors, one helper per informer)
  // would get its own glibc malloc arena, up to 8 per core, each keeping the pages of
  // its high-water mark: objects parsed on an informer's helper thread are freed by
  // another. Two arenas: in a burst of 100 VMIs (as cluster_bench makes) the
  // controller grew ~20.4 KiB per VMI instead of ~22.5 (with the cache transforms).
  mallopt(M_ARENA_MAX, 2);
  sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (auto e = log::configure_from_env(); !e.ok()) {
    std::fprintf(stderr, "podvisor-controller: PODVISOR_LOG: %s\n", e.message.c_str());
    return exit_usage;
  }
  int exit_code = 0;
  auto opts = parse(argc, argv, exit_code);
  if (!opts)
    return exit_code;
  if (!opts->log_level.empty()) {
    if (auto e = log::configure(opts->log_level); !e.ok()) {
      std::fprintf(stderr, "podvisor-controller: --log-level: %s\n", e.message.c_str());
      return exit_usage;
    }
  }
  log::logger lg{"controller", opts->identity};

  auto config = kube::client::load_default_config(opts->kubeconfig);
  if (!config) {
    lg.error("no API server configuration: {}", config.error().to_string());
    return 1;
  }
  config->user_agent = std::string("podvisor-controller/") + podvisor::version_string;
  auto created = kube::client::rest_client::create(std::move(*config));
  if (!created) {
    lg.error("cannot create the API client: {}", created.error().to_string());
    return 1;
  }
  std::shared_ptr<kube::client::api_client> client{std::move(*created)};

  actors::controller::vmi_controller_config vmi_config;
  vmi_config.workers = opts->workers;
  vmi_config.pod.launcher_binary = opts->launcher_binary;
  if (!opts->launcher_work_dir.empty())
    vmi_config.pod.work_dir = opts->launcher_work_dir;
  vmi_config.pod.agent_dir = opts->agent ? opts->agent_dir : std::string{};
  vmi_config.pod.await_start_seconds = opts->await_start;
  vmi_config.pod.image_dir = opts->image_dir;
  vmi_config.pod.capabilities_cache = opts->capabilities_cache;
  if (opts->kvm == "auto") {
    auto probe = virt::probe_kvm();
    vmi_config.pod.kvm = probe.usable;
    lg.info("--kvm auto: {} ({})", probe.usable ? "KVM" : "software emulation", probe.reason);
  } else {
    vmi_config.pod.kvm = opts->kvm == "on";
  }

  int result = 0;
  {
    actors::system_config cfg;
    caf::actor_system sys{cfg};
    std::shared_ptr<actors::controller::controller_context> ctx;

    // Starts every controller of this process (once: on leadership, or at once).
    auto start_controllers = [&] {
      ctx = actors::controller::start_controller_context(sys, client, opts->identity);
      auto vmi = actors::controller::spawn_vmi_controller(
        sys, vmi_config,
        {ctx->client, ctx->executor, ctx->vmis, ctx->launcher_pods, ctx->vmi_status, ctx->recorder});
      ctx->keep(vmi.loop);
      actors::controller::spawn_vm_controller(sys, *ctx, opts->workers);
      actors::controller::spawn_node_controller(sys, *ctx, opts->node_grace);
      lg.info("controllers started (launcher {}, {})", vmi_config.pod.launcher_binary,
              vmi_config.pod.kvm ? "KVM" : "software emulation");
    };

    protocols::leader_elector_actor elector;
    protocols::leadership_subscriber_actor gate;
    std::shared_ptr<actors::kube::api_executor> elector_executor;
    if (opts->leader_elect) {
      // The gate only signals; the main thread starts the controllers (below), so ctx
      // is only ever touched by this thread.
      gate = actors::controller::spawn_leadership_gate(sys, [] { kill(getpid(), SIGUSR2); },
                                                       [] { kill(getpid(), SIGUSR1); });
      actors::kube::leader_elector_config lc;
      lc.lease_namespace = opts->namespace_;
      lc.lease_name = "podvisor-controller";
      lc.identity = opts->identity;
      elector_executor = actors::kube::make_detached_executor(sys, 1);
      elector = actors::kube::spawn_leader_elector(sys, lc, client, elector_executor, gate);
      lg.info("podvisor-controller {} competing for lease {}/podvisor-controller as {}", podvisor::version_string,
              opts->namespace_, opts->identity);
    } else {
      start_controllers();
    }

    int sig = 0;
    for (;;) {
      while (sigwait(&signals, &sig) != 0) {
      }
      if (sig != SIGUSR2)
        break;
      if (!ctx)
        start_controllers();
    }
    if (sig == SIGUSR1) {
      lg.error("leadership lost: exiting");
      result = 1;
    } else {
      lg.info("{} received: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    if (elector) {
      caf::anon_send_exit(gate, caf::exit_reason::user_shutdown);
      // Hand the lease over at once instead of after its duration.
      caf::scoped_actor self{sys};
      self->request(elector, std::chrono::seconds{5}, protocols::leader_release_atom_v)
        .receive([&](bool released) { lg.info("lease {}", released ? "released" : "not held"); },
                 [&](const caf::error&) { lg.warn("lease not released"); });
      caf::anon_send_exit(elector, caf::exit_reason::user_shutdown);
    }
    if (ctx) {
      ctx->stop_all();
      ctx->executor.reset();
    }
    elector_executor.reset();
  } // the actor system waits for every actor here
  return result;
}
