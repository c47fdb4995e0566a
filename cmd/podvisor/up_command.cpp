// `podvisor up`: runs Podvisor on this machine in the foreground until Ctrl-C — the
// embedded cluster (kube/cluster): the API server, N simulated nodes with their podlets
// and node agents, the scheduler and the controller — installs the test guest as the
// container image the example VM boots, applies examples/, and tears it all down on
// Ctrl-C, keeping only the data directory. It must never pretend: what it could not set
// up (no test guest built) is said in its output.

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

#include <poll.h>
#include <unistd.h>

#include "cmd/podvisor/commands.hpp"
#include "kube/api/codec.hpp"
#include "kube/api/manifest.hpp"
#include "kube/apiserver/server/embedded_server.hpp"
#include "kube/cluster/embedded_cluster.hpp"
#include "podvisor/version.hpp"

namespace podvisor::cli {

namespace {

constexpr const char* up_usage = R"(Usage: podvisor up [--nodes N] [--data-dir DIR] [--listen HOST:PORT] [--examples DIR]

Runs Podvisor on this machine in the foreground until Ctrl-C: the embedded
Kubernetes-compatible API server (HTTPS, tokens, SQLite in DIR), N simulated nodes
(network namespaces joined by a bridge, each with its podlet), the scheduler and the
controller; then applies the manifests of the examples directory. Use the printed
kubeconfig with kubectl. Ctrl-C deletes the pods, stops everything and removes the
network; the data directory (objects, logs) is kept. Nodes need root.

Flags:
  --nodes N            simulated nodes (default 2; 0 runs the API server alone)
  --data-dir DIR       state directory (default ./podvisor-data); kept between runs
  --listen HOST:PORT   API server address (default: the cluster bridge's address, or
                       127.0.0.1 without nodes; port 6443; port 0 picks one)
  --examples DIR       manifests to apply at start (default ./examples)
  --kvm auto|on|off    whether nodes offer /dev/kvm to launcher pods (default auto)
  --node-cpu N         each node's cpu capacity (default 2)
  --node-memory Q      each node's memory capacity (default 8Gi)
  --max-pods N         pods per node (default 110)
  --launcher CMD       the launcher pods' command (default: podvisor-launcher beside
                       this binary)
  --agents on|off      run a node agent per node (default on); off: launchers start
                       their VMs on their own, without pod networking
  --guest DIR          the test guest (vmlinuz, initrd.img; tools/guest/build.sh) to
                       install as image podvisor/test-guest:latest, which
                       examples/vm.yaml boots (default: the guest/ directory beside
                       bin/, as `cmake --build build --target guest` makes it)
  --log-level SPEC     for every component (default info)
  --network-id ID      short id of the host interfaces (default "up"; "pvupbr" is
                       the bridge), so several clusters can coexist
  --cluster-cidr CIDR  the /16 nodes and pods are numbered from (default 10.99.0.0/16)
  --controller-flag F  pass F to podvisor-controller (repeatable)
  --agent-flag F       pass F to every podvisor-agent (repeatable)
  --restart-components on|off
                       start a component (API server aside) again when it exits,
                       after a back-off of 1 s doubling to 30 s, as a Deployment or a
                       DaemonSet would (default on); off: it stays down
  -h, --help           this help
)";

int wake_pipe[2] = {-1, -1};
volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int) {
  stop_requested = 1;
  char c = 1;
  (void)!write(wake_pipe[1], &c, 1);
}

std::vector<std::filesystem::path> manifest_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool apply_examples(kube::apiserver::embedded_server& s, const std::filesystem::path& examples) {
  bool all_applied = true;
  std::printf("Applying %s/:\n", examples.c_str());
  for (const auto& file : manifest_files(examples)) {
    std::vector<kube::api::json> docs;
    std::string error;
    if (!kube::api::load_manifest_file(file, docs, error)) {
      std::printf("  %s: %s\n", file.c_str(), error.c_str());
      all_applied = false;
      continue;
    }
    for (const auto& doc : docs) {
      auto kind = doc.value("kind", std::string("object"));
      auto name = doc.value("metadata", kube::api::json::object()).value("name", std::string());
      auto outcome = s.apply(doc);
      if (outcome)
        std::printf("  %s/%s %s\n", kind.c_str(), name.c_str(), outcome.value().c_str());
      else {
        std::printf("  %s/%s NOT applied: %s\n", kind.c_str(), name.c_str(), outcome.error().message.c_str());
        all_applied = false;
      }
    }
  }
  return all_applied;
}

/// The directory of this executable: where the other podvisor binaries are built.
std::filesystem::path own_directory() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

bool parse_count(std::string_view v, std::size_t max, std::size_t& out) {
  if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  out = std::stoul(std::string(v));
  return out <= max;
}

/// The image the example VM boots (examples/vm.yaml, kernelBoot.container.image).
constexpr const char* test_guest_image = "podvisor/test-guest:latest";

/// Copies the test guest's kernel and initrd into the image directory as
/// `test_guest_image`; an empty string when done, else why not.
std::string install_test_guest(const std::filesystem::path& guest, const std::filesystem::path& image_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const char* file : {"vmlinuz", "initrd.img"})
    if (!fs::is_regular_file(guest / file, ec))
      return (guest / file).string() + " does not exist (build it: cmake --build build --target guest)";
  auto target = image_dir / test_guest_image;
  fs::create_directories(target, ec);
  if (ec)
    return target.string() + ": " + ec.message();
  for (const char* file : {"vmlinuz", "initrd.img"}) {
    fs::copy_file(guest / file, target / file, fs::copy_options::update_existing, ec);
    if (ec)
      return (target / file).string() + ": " + ec.message();
  }
  return {};
}

} // namespace

int run_up(const std::vector<std::string_view>& args) {
  kube::cluster::embedded_cluster_options options;
  options.data_dir = "podvisor-data";
  options.bin_dir = own_directory();
  std::filesystem::path examples = "examples";
  std::filesystem::path guest = options.bin_dir.parent_path() / "guest";
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs(up_usage, stdout);
      return 0;
    }
    if (i + 1 >= args.size()) {
      std::fprintf(stderr, "podvisor up: unexpected argument \"%.*s\"; see --help\n", static_cast<int>(a.size()), a.data());
      return 2;
    }
    auto v = std::string(args[++i]);
    if (a == "--data-dir") {
      options.data_dir = v;
    } else if (a == "--examples") {
      examples = v;
    } else if (a == "--nodes") {
      if (!parse_count(v, 200, options.nodes)) {
        std::fprintf(stderr, "podvisor up: --nodes wants a number from 0 to 200, got \"%s\"\n", v.c_str());
        return 2;
      }
    } else if (a == "--kvm") {
      if (v != "auto" && v != "on" && v != "off") {
        std::fprintf(stderr, "podvisor up: --kvm wants auto, on or off, got \"%s\"\n", v.c_str());
        return 2;
      }
      options.kvm = v;
    } else if (a == "--node-cpu") {
      options.node_cpu = v;
    } else if (a == "--node-memory") {
      options.node_memory = v;
    } else if (a == "--max-pods") {
      if (!parse_count(v, 9999, options.max_pods) || options.max_pods == 0) {
        std::fprintf(stderr, "podvisor up: --max-pods wants a number from 1 to 9999, got \"%s\"\n", v.c_str());
        return 2;
      }
    } else if (a == "--launcher") {
      options.launcher_binary = v;
    } else if (a == "--agents") {
      if (v != "on" && v != "off") {
        std::fprintf(stderr, "podvisor up: --agents wants on or off, got \"%s\"\n", v.c_str());
        return 2;
      }
      options.agents = v == "on";
    } else if (a == "--guest") {
      guest = v;
    } else if (a == "--log-level") {
      options.log_level = v;
    } else if (a == "--network-id") {
      options.network_id = v;
    } else if (a == "--cluster-cidr") {
      options.cluster_cidr = v;
    } else if (a == "--controller-flag") {
      options.controller_flags.push_back(v);
    } else if (a == "--agent-flag") {
      options.agent_flags.push_back(v);
    } else if (a == "--restart-components") {
      if (v != "on" && v != "off") {
        std::fprintf(stderr, "podvisor up: --restart-components wants on or off, got \"%s\"\n", v.c_str());
        return 2;
      }
      options.restart_components = v == "on";
    } else if (a == "--listen") {
      auto colon = v.rfind(':');
      auto port = colon == std::string::npos ? std::string() : v.substr(colon + 1);
      if (colon == std::string::npos || port.empty() || port.size() > 5
          || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
        std::fprintf(stderr, "podvisor up: --listen wants HOST:PORT, got \"%s\"\n", v.c_str());
        return 2;
      }
      options.listen_host = v.substr(0, colon);
      options.port = std::stoi(port);
    } else {
      std::fprintf(stderr, "podvisor up: unknown flag \"%.*s\"; see --help\n", static_cast<int>(a.size()), a.data());
      return 2;
    }
  }

  std::printf("podvisor %s — starting on this machine\n\n", podvisor::version_string);
  std::fflush(stdout);
  if (pipe(wake_pipe) != 0) {
    std::perror("podvisor up: pipe");
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::string guest_problem;
  if (options.nodes > 0) {
    guest_problem = install_test_guest(guest, options.data_dir / "images");
    if (guest_problem.empty())
      std::printf("  image %s from %s\n", test_guest_image, guest.c_str());
  }

  options.progress = [](std::string_view line) {
    std::printf("  %.*s\n", static_cast<int>(line.size()), line.data());
    std::fflush(stdout);
  };
  auto started = kube::cluster::embedded_cluster::start(options);
  if (!started) {
    std::fprintf(stderr, "podvisor up: %s\n", started.error().message.c_str());
    return 1;
  }
  auto& cluster = *started.value();
  auto& s = cluster.server();
  auto kubeconfig = std::filesystem::absolute(s.admin_kubeconfig());
  std::printf("\nAPI server    %s  (data in %s)\n", s.url().c_str(), options.data_dir.c_str());
  std::printf("kubeconfig    %s\n", kubeconfig.c_str());
  for (const auto& node : cluster.nodes())
    std::printf("node          %s  %s  pods %s\n", node.name.c_str(), node.node_ip.c_str(), node.pod_cidr.c_str());
  for (const auto& c : cluster.components().states())
    std::printf("component     %s  pid %d  log %s\n", c.name.c_str(), static_cast<int>(c.pid), c.log.c_str());
  std::printf("\n");

  bool all_applied = apply_examples(s, examples);

  if (options.nodes == 0)
    std::printf("\nWhat runs: the API server only (--nodes 0), so VirtualMachines are stored and\n"
                "served but no pod is scheduled and no guest is started.\n");
  else if (!options.agents)
    std::printf("\nWhat runs: the API server, %zu simulated node(s) with their podlets, the scheduler\n"
                "and the controller, without node agents (--agents off): launcher pods start their\n"
                "VMs on their own, with no pod network for the guest.\n",
                cluster.nodes().size());
  else
    std::printf("\nWhat runs: the API server, %zu simulated node(s) with their podlets and node\n"
                "agents, the scheduler and the controller: a VM becomes a VMI, the VMI a launcher\n"
                "pod on a node, and that node's agent wires the guest's network in the pod and\n"
                "starts it; the VMI turns Running with the guest's address.\n",
                cluster.nodes().size());
  if (options.nodes > 0 && !guest_problem.empty())
    std::printf("\nNo test guest: %s.\nThe example VM boots image %s and fails until it exists.\n",
                guest_problem.c_str(), test_guest_image);
  std::printf("\nTry:\n"
              "  export KUBECONFIG=%s\n"
              "  kubectl get nodes -o wide\n"
              "  kubectl get vms,vmis,pods -o wide\n"
              "  kubectl wait vmi/testvm --for=jsonpath='{.status.phase}'=Running --timeout=5m\n"
              "  podvisor introspect vmi testvm\n"
              "  podvisor console vmi testvm\n"
              "  kubectl explain vmi.spec.domain\n\n"
              "Ctrl-C stops everything (the data directory is kept).\n",
              kubeconfig.c_str());
  std::fflush(stdout);

  while (!stop_requested) {
    pollfd pfd{wake_pipe[0], POLLIN, 0};
    int n = ::poll(&pfd, 1, 1000);
    if (n < 0 && errno != EINTR)
      break;
    // A component that dies is reported at once, not discovered at teardown.
    for (const auto& gone : cluster.components().newly_exited()) {
      std::printf("podvisor up: %s exited unexpectedly (%s); see %s", gone.name.c_str(), gone.ended.c_str(),
                  gone.log.c_str());
      if (gone.restart_in.count() > 0)
        std::printf("; restarting it in %.1f s", static_cast<double>(gone.restart_in.count()) / 1000.0);
      std::printf("\n");
      std::fflush(stdout);
    }
    for (const auto& back : cluster.components().restart_due()) {
      if (back.running)
        std::printf("podvisor up: restarted %s pid %d (restart %d)\n", back.name.c_str(), static_cast<int>(back.pid),
                    back.restarts);
      else
        std::printf("podvisor up: %s not restarted: %s; trying again in %.1f s\n", back.name.c_str(),
                    back.ended.c_str(), static_cast<double>(back.restart_in.count()) / 1000.0);
      std::fflush(stdout);
    }
  }
  std::printf("\npodvisor up: stopping\n");
  std::fflush(stdout);
  cluster.stop();
  std::printf("podvisor up: stopped\n");
  return all_applied ? 0 : 1;
}

} // namespace podvisor::cli
