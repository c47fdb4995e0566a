// podvisor-podlet: kubelet's part for one simulated node. Parses flags, builds the
// sandbox runtime and the actor system, starts the podlet's actors and waits for
// SIGTERM/SIGINT, which stop the actors and leave the pods running (as stopping kubelet
// does; `podvisor up` deletes pods through the API before it stops podlets).

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/utsname.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/podlet/podlet.hpp"
#include "actors/system/config.hpp"
#include "cmd/podvisor-podlet/options.hpp"
#include "common/log.hpp"
#include "kube/client/config.hpp"
#include "kube/client/resource.hpp"
#include "kube/client/rest_client.hpp"
#include "kube/podlet/sandbox_runtime.hpp"
#include "podvisor/version.hpp"
#include "virt/kvm_probe.hpp"

namespace {

using namespace podvisor;

int wake_pipe[2] = {-1, -1};

void on_signal(int) {
  char c = 1;
  (void)!write(wake_pipe[1], &c, 1);
}

std::string kernel_release() {
  utsname u{};
  return uname(&u) == 0 ? std::string{u.release} : std::string{};
}

std::string host_cpus() {
  auto n = sysconf(_SC_NPROCESSORS_ONLN);
  return std::to_string(n > 0 ? n : 1);
}

std::string host_memory() {
  auto pages = sysconf(_SC_PHYS_PAGES);
  auto size = sysconf(_SC_PAGE_SIZE);
  return std::to_string(pages > 0 && size > 0 ? pages * size / 1024 : 1024 * 1024) + "Ki";
}

/// podvisor-shim next to this program, else found on PATH.
std::string shim_path() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto sibling = self.parent_path() / "podvisor-shim";
    if (std::filesystem::exists(sibling, ec))
      return sibling.string();
  }
  return "podvisor-shim";
}

} // namespace

int main(int argc, char** argv) {
  namespace opt = podvisor::cmd::podlet;
  if (auto e = log::configure_from_env(); !e.ok())
    std::fprintf(stderr, "podvisor-podlet: ignoring PODVISOR_LOG: %s\n", e.to_string().c_str());
  auto parsed = opt::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::fprintf(stderr, "podvisor-podlet: %s\n", parsed.error().message.c_str());
    return 2;
  }
  auto& o = *parsed;
  if (o.help) {
    std::fputs(opt::usage, stdout);
    return 0;
  }
  if (o.version) {
    std::printf("podvisor-podlet %s\n", version_string);
    return 0;
  }
  if (!o.log_level.empty() && !log::configure(std::string_view{o.log_level}).ok()) {
    std::fprintf(stderr, "podvisor-podlet: bad --log-level \"%s\"\n", o.log_level.c_str());
    return 2;
  }
  log::logger lg{"podlet", o.node_name};

  auto client_config = kube::client::load_kubeconfig(o.kubeconfig);
  if (!client_config) {
    std::fprintf(stderr, "podvisor-podlet: %s\n", client_config.error().to_string().c_str());
    return 1;
  }
  auto rest = kube::client::rest_client::create(std::move(*client_config));
  if (!rest) {
    std::fprintf(stderr, "podvisor-podlet: %s\n", rest.error().to_string().c_str());
    return 1;
  }
  std::shared_ptr<kube::client::api_client> client{std::move(*rest)};

  bool kvm = o.kvm == opt::kvm_mode::on;
  if (o.kvm == opt::kvm_mode::automatic) {
    auto probe = virt::probe_kvm();
    kvm = probe.usable;
    lg.info("KVM {}: {}", kvm ? "advertised" : "not advertised", probe.reason);
  }

  kube::podlet::sandbox_runtime_config rt_cfg;
  rt_cfg.node_name = o.node_name;
  rt_cfg.node_netns = o.node_netns;
  if (!o.node_bridge.empty())
    rt_cfg.node_bridge = o.node_bridge;
  rt_cfg.gateway = o.gateway;
  rt_cfg.pod_cidr = o.pod_cidr;
  rt_cfg.node_ip = o.node_ip;
  rt_cfg.state_dir = o.state_dir;
  rt_cfg.shim_path = shim_path();
  // ConfigMaps and Secrets for volumes and env, read when a pod is set up (on the
  // runtime's executor thread, so a blocking GET is fine).
  rt_cfg.resolve = [client](const std::string& kind, const std::string& ns,
                            const std::string& name) -> expected<nlohmann::json> {
    if (kind == "ConfigMap")
      return client->get(kube::client::resources::config_maps(), ns, name);
    if (kind == "Secret")
      return client->get(kube::client::resources::secrets(), ns, name);
    return error{errc::invalid_argument, "cannot resolve objects of kind " + kind};
  };
  auto runtime = kube::podlet::make_sandbox_runtime(std::move(rt_cfg));
  if (!runtime) {
    std::fprintf(stderr, "podvisor-podlet: %s\n", runtime.error().to_string().c_str());
    return 1;
  }

  actors::podlet::podlet_config cfg;
  cfg.node.name = o.node_name;
  cfg.node.ip = o.node_ip;
  cfg.node.pod_cidr = o.pod_cidr;
  cfg.node.cpu = o.cpu.empty() ? host_cpus() : o.cpu;
  cfg.node.memory = o.memory.empty() ? host_memory() : o.memory;
  cfg.node.max_pods = o.max_pods;
  cfg.node.kvm = kvm;
  cfg.node.kernel_version = kernel_release();
  cfg.node.kubelet_version = std::string{"v"} + version_string;
  cfg.heartbeat_interval = o.heartbeat_interval;
  cfg.lease_renew_interval = o.heartbeat_interval;

  if (pipe(wake_pipe) != 0) {
    std::perror("podvisor-podlet: pipe");
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  actors::system_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  std::shared_ptr<kube::podlet::pod_runtime> rt{std::move(*runtime)};
  auto podlet = actors::podlet::spawn_podlet(sys, cfg, client, rt);
  lg.info("podvisor-podlet {} running node {} ({})", version_string, o.node_name, o.node_ip);

  char c = 0;
  while (read(wake_pipe[0], &c, 1) < 0 && errno == EINTR) {
  }
  lg.info("stopping; pods keep running");
  actors::podlet::stop_podlet(podlet);
  return 0; // the actor system waits for its actors (and detached executors) here
}
