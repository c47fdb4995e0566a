// podvisor-scheduler: the embedded scheduler as its own process. Parses flags, connects
// to the API server, runs actors::scheduler (optionally only while holding a Lease),
// and exits cleanly on SIGTERM/SIGINT.

#include <csignal>
#include <cstdio>
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

#include "actors/kube/api_executor.hpp"
#include "actors/kube/leader_elector.hpp"
#include "actors/scheduler/leader_gate.hpp"
#include "actors/scheduler/scheduler_runtime.hpp"
#include "actors/system/config.hpp"
#include "common/log.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"
#include "podvisor/version.hpp"

namespace {

using namespace podvisor;

constexpr int exit_usage = 2;

constexpr const char* usage = R"(podvisor-scheduler — Podvisor's embedded scheduler as a process

Binds pods that have no node (spec.nodeName empty) and name this scheduler (or none) to
a node that fits them, as kube-scheduler does: node readiness and cordons, taints and
tolerations, nodeSelector and required node affinity, resource requests (cpu, memory,
extended resources such as devices.kubevirt.io/kvm), required pod anti-affinity; the
least allocated node wins. A pod that fits nowhere gets a FailedScheduling event and
PodScheduled=False (Unschedulable), and is tried again when the cluster changes.

Usage:
  podvisor-scheduler [--kubeconfig FILE] [flags]

Flags:
  --kubeconfig FILE       API server and credentials (default: $KUBECONFIG, the
                          in-cluster service account, then ~/.kube/config)
  --scheduler-name NAME   schedule pods with this spec.schedulerName (default
                          default-scheduler; pods without one count as that)
  --leader-elect          run only while holding the Lease (for several replicas)
  --lease-namespace NS    the Lease's namespace (default kube-system)
  --lease-name NAME       the Lease's name (default: the scheduler name)
  --identity ID           this replica in the Lease (default: host name + pid)
  --log-level SPEC        e.g. info, or warn,scheduler=debug (also PODVISOR_LOG)
  -h, --help              this help
  --version               print the version

Exit codes: 0 after SIGTERM/SIGINT, 1 on a failure or when leadership is lost,
2 for bad flags.
)";

struct options {
  std::string kubeconfig;
  std::string scheduler_name = "default-scheduler";
  bool leader_elect = false;
  std::string lease_namespace = "kube-system";
  std::string lease_name;
  std::string identity;
  std::string log_level;
};

/// Parses the flags; prints the reason and returns nothing on bad ones (`exit_code` says
/// which: 0 for --help/--version, 2 otherwise).
std::optional<options> parse(int argc, char** argv, int& exit_code) {
  options o;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
      inline_value = std::string(a.substr(eq + 1));
      a = a.substr(0, eq);
      has_inline = true;
    }
    auto value = [&]() -> std::optional<std::string> {
      if (has_inline)
        return inline_value;
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "podvisor-scheduler: %.*s needs a value\n", static_cast<int>(a.size()), a.data());
        return std::nullopt;
      }
      return std::string(args[++i]);
    };
    std::optional<std::string> v;
    exit_code = exit_usage;
    if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      exit_code = 0;
      return std::nullopt;
    } else if (a == "--version") {
      std::printf("podvisor-scheduler %s\n", podvisor::version_string);
      exit_code = 0;
      return std::nullopt;
    } else if (a == "--leader-elect") {
      if (has_inline && inline_value != "true" && inline_value != "false") {
        std::fprintf(stderr, "podvisor-scheduler: --leader-elect takes true or false\n");
        return std::nullopt;
      }
      o.leader_elect = !has_inline || inline_value == "true";
      continue;
    } else if (a == "--kubeconfig" || a == "--scheduler-name" || a == "--lease-namespace" || a == "--lease-name" ||
               a == "--identity" || a == "--log-level") {
      if (!(v = value()))
        return std::nullopt;
      if (v->empty()) {
        std::fprintf(stderr, "podvisor-scheduler: %.*s must not be empty\n", static_cast<int>(a.size()), a.data());
        return std::nullopt;
      }
    } else {
      std::fprintf(stderr, "podvisor-scheduler: unknown flag \"%.*s\"; see --help\n", static_cast<int>(a.size()),
                   a.data());
      return std::nullopt;
    }
    if (a == "--kubeconfig")
      o.kubeconfig = *v;
    else if (a == "--scheduler-name")
      o.scheduler_name = *v;
    else if (a == "--lease-namespace")
      o.lease_namespace = *v;
    else if (a == "--lease-name")
      o.lease_name = *v;
    else if (a == "--identity")
      o.identity = *v;
    else
      o.log_level = *v;
  }
  if (o.lease_name.empty())
    o.lease_name = o.scheduler_name;
  if (o.identity.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    o.identity = std::string(host) + "_" + std::to_string(getpid());
  }
  return o;
}

// Signals are blocked in every thread (set before the actor system starts its threads)
// and taken by the main thread with sigwait. SIGUSR1 is the scheduler's own "leadership
// lost" wake-up.
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  return set;
}

} // namespace

int main(int argc, char** argv) {
  using namespace podvisor;
  // Every thread (CAF's workers, the detached API executor, one helper per informer)
  // would get its own glibc malloc arena, up to 8 per core, each keeping the pages of
  // its high-water mark: objects parsed on an informer's helper thread are freed by
  // another. Two arenas: in a burst of 100 VMIs (as cluster_bench makes) the
  // scheduler grew ~19 KiB per VMI instead of ~28 (with the cache transforms).
  mallopt(M_ARENA_MAX, 2);
  sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (auto e = log::configure_from_env(); !e.ok()) {
    std::fprintf(stderr, "podvisor-scheduler: PODVISOR_LOG: %s\n", e.message.c_str());
    return exit_usage;
  }
  int exit_code = 0;
  auto opts = parse(argc, argv, exit_code);
  if (!opts)
    return exit_code;
  if (!opts->log_level.empty()) {
    if (auto e = log::configure(opts->log_level); !e.ok()) {
      std::fprintf(stderr, "podvisor-scheduler: --log-level: %s\n", e.message.c_str());
      return exit_usage;
    }
  }
  log::logger lg{"scheduler", opts->scheduler_name};

  auto config = kube::client::load_default_config(opts->kubeconfig);
  if (!config) {
    lg.error("no API server configuration: {}", config.error().to_string());
    return 1;
  }
  config->user_agent = std::string("podvisor-scheduler/") + podvisor::version_string;
  auto created = kube::client::rest_client::create(std::move(*config));
  if (!created) {
    lg.error("cannot create the API client: {}", created.error().to_string());
    return 1;
  }
  std::shared_ptr<kube::client::api_client> client{std::move(*created)};

  actors::scheduler::scheduler_runtime_config rc;
  rc.scheduler.scheduler_name = opts->scheduler_name;
  rc.host = opts->identity;

  int result = 0;
  {
    actors::system_config cfg;
    caf::actor_system sys{cfg};
    std::optional<actors::scheduler::scheduler_runtime> runtime;
    protocols::leader_elector_actor elector;
    protocols::leadership_subscriber_actor gate;
    std::shared_ptr<actors::kube::api_executor> elector_executor;
    if (opts->leader_elect) {
      gate = actors::scheduler::spawn_leader_gate(sys, client, rc, [] { kill(getpid(), SIGUSR1); });
      actors::kube::leader_elector_config lc;
      lc.lease_namespace = opts->lease_namespace;
      lc.lease_name = opts->lease_name;
      lc.identity = opts->identity;
      elector_executor = actors::kube::make_detached_executor(sys, 1);
      elector = actors::kube::spawn_leader_elector(sys, lc, client, elector_executor, gate);
      lg.info("podvisor-scheduler {} competing for lease {}/{} as {}", podvisor::version_string,
              opts->lease_namespace, opts->lease_name, opts->identity);
    } else {
      runtime = actors::scheduler::start_scheduler(sys, client, rc);
      lg.info("podvisor-scheduler {} running", podvisor::version_string);
    }

    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    if (sig == SIGUSR1) {
      lg.error("leadership lost: exiting");
      result = 1;
    } else {
      lg.info("{} received: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    if (elector) {
      // Hand the lease over at once instead of after its duration.
      caf::scoped_actor self{sys};
      self->request(elector, std::chrono::seconds{5}, protocols::leader_release_atom_v)
        .receive([&](bool released) { lg.info("lease {}", released ? "released" : "not held"); },
                 [&](const caf::error&) { lg.warn("lease not released"); });
      caf::anon_send_exit(elector, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(gate, caf::exit_reason::user_shutdown);
    }
    if (runtime)
      runtime->stop();
    elector_executor.reset();
  } // the actor system waits for every actor here
  return result;
}
