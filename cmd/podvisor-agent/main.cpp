// podvisor-agent: Podvisor's node agent (KubeVirt's virt-handler). Parses flags,
// connects to the API server, and runs the agent of actors/agent with the real backend
// (launcher channel + pod network wiring); exits cleanly on SIGTERM/SIGINT, leaving
// every VM running for the next agent to re-adopt.

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <pthread.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/agent/agent.hpp"
#include "actors/agent/node_backend.hpp"
#include "actors/kube/api_executor.hpp"
#include "actors/kube/event_recorder.hpp"
#include "actors/kube/informer.hpp"
#include "actors/kube/status_writer.hpp"
#include "actors/system/config.hpp"
#include "cmd/podvisor-agent/options.hpp"
#include "common/log.hpp"
#include "kube/client/config.hpp"
#include "kube/client/resource.hpp"
#include "kube/client/rest_client.hpp"
#include "podvisor/version.hpp"

namespace {

using namespace podvisor;

constexpr int exit_usage = 2;

// Signals are blocked in every thread (before the actor system starts its threads) and
// taken by the main thread with sigwait.
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

} // namespace

int main(int argc, char** argv) {
  sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (auto e = log::configure_from_env(); !e.ok()) {
    std::fprintf(stderr, "podvisor-agent: PODVISOR_LOG: %s\n", e.message.c_str());
    return exit_usage;
  }
  auto opts = cmd::agent::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!opts) {
    std::fprintf(stderr, "podvisor-agent: %s\n", opts.error().message.c_str());
    return exit_usage;
  }
  if (opts->help) {
    std::fputs(cmd::agent::usage, stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("podvisor-agent %s\n", podvisor::version_string);
    return 0;
  }
  if (!opts->log_level.empty()) {
    if (auto e = log::configure(opts->log_level); !e.ok()) {
      std::fprintf(stderr, "podvisor-agent: --log-level: %s\n", e.message.c_str());
      return exit_usage;
    }
  }
  log::logger lg{"agent", opts->node_name};
  if (geteuid() != 0) {
    lg.error("podvisor-agent must run as root: it enters launcher pods' network namespaces to wire them");
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(opts->vmi_dir_root, ec);
  if (ec || !std::filesystem::is_directory(opts->vmi_dir_root, ec)) {
    lg.error("--vmi-dir-root {}: cannot create the directory: {}", opts->vmi_dir_root,
             ec ? ec.message() : std::string{"not a directory"});
    return 1;
  }

  auto config = kube::client::load_default_config(opts->kubeconfig);
  if (!config) {
    lg.error("no API server configuration: {}", config.error().to_string());
    return 1;
  }
  config->user_agent = std::string("podvisor-agent/") + podvisor::version_string;
  auto created = kube::client::rest_client::create(std::move(*config));
  if (!created) {
    lg.error("cannot create the API client: {}", created.error().to_string());
    return 1;
  }
  std::shared_ptr<kube::client::api_client> client{std::move(*created)};

  {
    actors::system_config cfg;
    caf::actor_system sys{cfg};
    std::vector<caf::actor> kept;
    auto keep = [&kept](auto handle) {
      kept.push_back(caf::actor_cast<caf::actor>(handle));
      return handle;
    };
    auto executor = actors::kube::make_detached_executor(sys, 2);
    auto vmis = actors::kube::spawn_informer(sys, actors::agent::agent_vmi_informer_config(), client);
    keep(vmis.actor);
    auto pods =
      actors::kube::spawn_informer(sys, actors::agent::agent_launcher_pod_informer_config(opts->node_name), client);
    keep(pods.actor);
    actors::kube::status_writer_config sw;
    sw.resource = kube::client::resources::virtual_machine_instances();
    actors::kube::event_recorder_config rc;
    rc.component = "podvisor-agent";
    rc.host = opts->node_name;

    actors::agent::agent_config ac;
    ac.node_name = opts->node_name;
    ac.vmi_dir_root = opts->vmi_dir_root;
    actors::agent::agent_deps deps;
    deps.vmis = vmis;
    deps.launcher_pods = pods.cache;
    deps.vmi_status = keep(actors::kube::spawn_status_writer(sys, sw, client, executor));
    deps.recorder = keep(actors::kube::spawn_event_recorder(sys, rc, client, executor));
    deps.make_backend = [](const std::filesystem::path& dir) { return actors::agent::make_node_backend(dir); };
    // One detached actor per VM and purpose: a VM's blocking calls never wait for
    // another VM's, and never run on CAF's scheduler threads.
    deps.make_executor = [&sys] { return actors::kube::make_detached_executor(sys, 1); };
    auto agent = keep(actors::agent::spawn_agent(sys, ac, deps));
    lg.info("podvisor-agent {} on node {} (VMI directories under {})", podvisor::version_string, opts->node_name,
            opts->vmi_dir_root);

    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    lg.info("{} received: stopping (VMs keep running)", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    // The agent first: its supervisors stop with it.
    for (auto it = kept.rbegin(); it != kept.rend(); ++it)
      caf::anon_send_exit(*it, caf::exit_reason::user_shutdown);
    executor.reset();
  } // the actor system waits for every actor here
  return 0;
}
