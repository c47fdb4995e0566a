// `podvisor up`: runs whatever exists of Podvisor on this machine, in the foreground,
// until Ctrl-C. It must never pretend: today that is the embedded Kubernetes-compatible
// API server with the examples applied. The controllers, scheduler, simulated nodes,
// node agents and launchers that turn those objects into running guests come with the
// next issues, and until then this says so.

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "cmd/podvisor/commands.hpp"
#include "kube/api/kubevirt/admission.hpp"
#include "kube/api/manifest.hpp"
#include "kube/apiserver/server/embedded_server.hpp"
#include "podvisor/version.hpp"

namespace podvisor::cli {

namespace {

constexpr const char* up_usage = R"(Usage: podvisor up [--data-dir DIR] [--listen HOST:PORT] [--examples DIR]

Runs Podvisor on this machine in the foreground until Ctrl-C. Today that is the
embedded Kubernetes-compatible API server (HTTPS, tokens, SQLite in DIR) with the
manifests of the examples directory applied. Use the printed kubeconfig with kubectl.

Flags:
  --data-dir DIR       state directory (default ./podvisor-data); kept between runs
  --listen HOST:PORT   API server address (default 127.0.0.1:6443; port 0 picks one)
  --examples DIR       manifests to apply at start (default ./examples)
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

} // namespace

int run_up(const std::vector<std::string_view>& args) {
  kube::apiserver::embedded_server_options options;
  options.data_dir = "podvisor-data";
  options.port = 6443;
  std::filesystem::path examples = "examples";
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
    } else if (a == "--listen") {
      auto colon = v.rfind(':');
      auto port = colon == std::string::npos ? std::string() : v.substr(colon + 1);
      if (colon == std::string::npos || port.empty() || port.size() > 5
          || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
        std::fprintf(stderr, "podvisor up: --listen wants HOST:PORT, got \"%s\"\n", v.c_str());
        return 2;
      }
      options.host = v.substr(0, colon);
      options.port = std::stoi(port);
    } else {
      std::fprintf(stderr, "podvisor up: unknown flag \"%.*s\"; see --help\n", static_cast<int>(a.size()), a.data());
      return 2;
    }
  }

  std::printf("podvisor %s — starting on this machine\n\n", podvisor::version_string);
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

  auto server = kube::apiserver::embedded_server::start(options);
  if (!server) {
    std::fprintf(stderr, "podvisor up: the API server did not start: %s\n", server.error().to_string().c_str());
    return 1;
  }
  auto& s = *server.value();
  std::printf("API server    %s  (data in %s)\n", s.url().c_str(), options.data_dir.c_str());
  std::printf("kubeconfig    %s\n\n", std::filesystem::absolute(s.admin_kubeconfig()).c_str());

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

  std::printf("\nWhat runs: the API server only. No controller, scheduler, node or launcher exists yet,\n"
              "so VirtualMachines are stored and served but no guest is started.\n\n"
              "Try:\n"
              "  export KUBECONFIG=%s\n"
              "  kubectl get vms,vmis,vmims -o wide\n"
              "  kubectl explain vmi.spec.domain\n\n"
              "Ctrl-C stops the server (the data directory is kept).\n",
              std::filesystem::absolute(s.admin_kubeconfig()).c_str());
  std::fflush(stdout);

  while (!stop_requested) {
    char c;
    if (read(wake_pipe[0], &c, 1) < 0 && errno != EINTR)
      break;
  }
  std::printf("\npodvisor up: stopping\n");
  s.stop();
  return all_applied ? 0 : 1;
}

} // namespace podvisor::cli
