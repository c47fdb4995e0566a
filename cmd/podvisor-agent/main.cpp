// podvisor-agent: Podvisor's node agent (KubeVirt's virt-handler). Parses flags,
// connects to the API server, and runs the agent of actors/agent with the real backend
// (launcher channel + pod network wiring); exits cleanly on SIGTERM/SIGINT, leaving
// every VM running for the next agent to re-adopt.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/agent/agent.hpp"
#include "actors/agent/node_heartbeat.hpp"
#include "actors/agent/introspection_registry.hpp"
#include "actors/agent/node_backend.hpp"
#include "actors/kube/api_executor.hpp"
#include "actors/kube/event_recorder.hpp"
#include "actors/kube/informer.hpp"
#include "actors/kube/status_writer.hpp"
#include "actors/system/config.hpp"
#include "cmd/podvisor-agent/capabilities_warmup.hpp"
#include "cmd/podvisor-agent/options.hpp"
#include "common/log.hpp"
#include "introspect/publication.hpp"
#include "introspect/server.hpp"
#include "kube/client/config.hpp"
#include "kube/client/resource.hpp"
#include "kube/client/rest_client.hpp"
#include "podvisor/version.hpp"
#include "virt/kvm_probe.hpp"

namespace {

using namespace podvisor;

constexpr int exit_usage = 2;

/// Publishes the endpoint on this agent's Node (retried: the API server may be starting).
error publish_endpoint(kube::client::api_client& client, const std::string& node, const std::string& url) {
  error last;
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (attempt > 0)
      std::this_thread::sleep_for(std::chrono::seconds(1));
    auto patched = client.patch(kube::client::resources::nodes(), "", node, kube::client::patch_type::merge,
                                introspect::endpoint_annotation_patch(url));
    if (patched)
      return {};
    last = patched.error();
    if (last.code == errc::not_found || last.code == errc::forbidden || last.code == errc::unauthorized)
      break; // waiting does not help
  }
  return last;
}

/// The capabilities warm-up on a thread of its own, stopped and joined when the agent
/// stops (a still running launcher gets SIGTERM and tears its daemon down).
class warmup_thread {
public:
  warmup_thread(cmd::agent::warmup_options opts, log::logger lg) {
    thread_ = std::thread([this, opts = std::move(opts), lg] {
      lg.info("warming the node's QEMU capabilities cache {} with {}", opts.capabilities_cache.string(),
              opts.launcher_binary);
      auto r = cmd::agent::run_capabilities_warmup(opts, cancel_);
      if (r.warm)
        lg.info("QEMU capabilities cache warm after {} ms: {}", r.took.count(), r.detail);
      else
        lg.warn("QEMU capabilities cache not warmed after {} ms: {}; the node's first VMs will probe QEMU themselves",
                r.took.count(), r.detail);
    });
  }
  ~warmup_thread() {
    cancel_ = true;
    thread_.join();
  }
  warmup_thread(const warmup_thread&) = delete;
  warmup_thread& operator=(const warmup_thread&) = delete;

private:
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

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
  // Two threads per VM (its blocking command calls and its event stream): glibc would give
  // each new thread its own malloc arena, up to 8 per core, each holding on to its pages.
  // Two arenas are plenty for the agent's few allocations; measured with 10 VMs, the
  // agent's growth per VM went from ~1,340 KiB to ~900 KiB.
  mallopt(M_ARENA_MAX, 2);
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
  // What the agent reports on its Node with the heartbeat; probed before any thread
  // starts (the probe forks).
  auto kvm = virt::probe_kvm();
  lg.info("KVM {}: {}", kvm.usable ? "usable" : "not usable", kvm.reason);
  // Before any VM asks for it; runs beside everything else.
  std::optional<warmup_thread> warmup;
  if (!opts->launcher_binary.empty()) {
    cmd::agent::warmup_options wo;
    wo.launcher_binary = opts->launcher_binary;
    wo.capabilities_cache = opts->capabilities_cache;
    // Agents of simulated nodes share one VMI directory root; UIDs never start with '.'.
    wo.work_dir = std::filesystem::path(opts->vmi_dir_root) / (".warmup-" + opts->node_name);
    if (!opts->log_level.empty())
      wo.log_level = opts->log_level;
    warmup.emplace(std::move(wo), log::logger{"capabilities_warmup", opts->node_name});
  }
  // Outlives the actor system: supervisors remove their snapshots as they stop.
  auto registry = std::make_shared<actors::agent::introspection_registry>();

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
    ac.supervisor.registry = registry;
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
    // The heartbeat the node controller reads (KubeVirt's virt-handler heartbeat).
    actors::agent::node_heartbeat_config hb;
    hb.node_name = opts->node_name;
    hb.kvm_usable = kvm.usable;
    hb.interval = opts->heartbeat_interval;
    keep(actors::agent::spawn_node_heartbeat(sys, hb, client, executor));
    lg.info("podvisor-agent {} on node {} (VMI directories under {})", podvisor::version_string, opts->node_name,
            opts->vmi_dir_root);

    std::unique_ptr<introspect::introspection_server> server;
    auto stop_all = [&] {
      if (server)
        server->stop();
      for (auto it = kept.rbegin(); it != kept.rend(); ++it)
        caf::anon_send_exit(*it, caf::exit_reason::user_shutdown);
      executor.reset();
    };
    if (opts->introspection_port >= 0) {
      introspect::server_options so;
      so.host = opts->introspection_host;
      so.port = opts->introspection_port;
      so.cert_file = opts->introspection_cert;
      so.key_file = opts->introspection_key;
      so.token_file = opts->introspection_token_file;
      server = std::make_unique<introspect::introspection_server>(*registry, so);
      if (auto e = server->start(); e) {
        lg.error("introspection: {}", e.to_string());
        stop_all();
        return 1;
      }
      auto url = introspect::endpoint_url(opts->introspection_advertise, server->port());
      if (auto e = publish_endpoint(*client, opts->node_name, url); e) {
        lg.error("introspection: cannot publish {} on Node {}: {}", url, opts->node_name, e.to_string());
        stop_all();
        return 1;
      }
      lg.info("introspection: serving on {}:{}, published as {}", opts->introspection_host, server->port(), url);
    }

    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    lg.info("{} received: stopping (VMs keep running)", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    // The server first (no request may wait on a stopping agent), then the agent: its
    // supervisors stop with it.
    stop_all();
  } // the actor system waits for every actor here
  return 0;
}
