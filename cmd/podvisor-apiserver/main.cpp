// podvisor-apiserver: the embedded Kubernetes-compatible API server on its own.
// Parses flags, starts an embedded_server, waits for SIGINT/SIGTERM.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <cerrno>

#include <unistd.h>

#include "common/log.hpp"
#include "kube/apiserver/server/embedded_server.hpp"
#include "podvisor/version.hpp"

namespace {

constexpr const char* usage = R"(podvisor-apiserver — Podvisor's embedded Kubernetes-compatible API server

Serves the Kubernetes REST API for the kinds Podvisor uses (core v1 namespaces, pods,
nodes, events, configmaps, secrets, persistentvolumeclaims; coordination.k8s.io leases;
apiextensions.k8s.io CRDs; kubevirt.io/v1 VirtualMachines, VirtualMachineInstances and
VirtualMachineInstanceMigrations) over HTTPS with bearer tokens, stored in SQLite.

Usage:
  podvisor-apiserver --data-dir DIR [--listen 127.0.0.1:6443] [flags]

Flags:
  --data-dir DIR          state: store.db, pki/, tokens.csv, *.kubeconfig (required)
  --listen HOST:PORT      address to serve on (default 127.0.0.1:6443; port 0 picks one)
  --component NAME        also create a token and DIR/NAME.kubeconfig (repeatable;
                          controller, scheduler and agent always get one)
  --tls-ip IP             extra IP address for the serving certificate (repeatable)
  --history N             watch events kept for resumption (default 10000)
  --log-level SPEC        e.g. info, or warn,apiserver=debug (also PODVISOR_LOG)
  -h, --help              this help
  --version               print the version

On start it writes DIR/admin.kubeconfig (full access), DIR/viewer.kubeconfig
(read-only) and DIR/<component>.kubeconfig for each component; use them with kubectl
--kubeconfig or KUBECONFIG. The CA and serving certificate are made at first start
(DIR/pki/) and kept.
)";

volatile std::sig_atomic_t stop_requested = 0;
int wake_pipe[2] = {-1, -1};

void on_signal(int) {
  stop_requested = 1;
  char c = 1;
  (void)!write(wake_pipe[1], &c, 1);
}

bool parse_listen(std::string_view text, std::string& host, int& port) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return false;
  host = std::string(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  auto port_text = std::string(text.substr(colon + 1));
  if (port_text.empty() || port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5)
    return false;
  port = std::stoi(port_text);
  return port <= 65535;
}

} // namespace

int main(int argc, char** argv) {
  namespace api = podvisor::kube::apiserver;
  if (auto e = podvisor::log::configure_from_env(); !e.ok())
    std::fprintf(stderr, "podvisor-apiserver: ignoring PODVISOR_LOG: %s\n", e.to_string().c_str());
  api::embedded_server_options options;
  options.port = 6443;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "podvisor-apiserver: %.*s needs a value\n", static_cast<int>(a.size()), a.data());
        std::exit(2);
      }
      return std::string(args[++i]);
    };
    if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      return 0;
    }
    if (a == "--version") {
      std::printf("podvisor-apiserver %s\n", podvisor::version_string);
      return 0;
    }
    if (a == "--data-dir") {
      options.data_dir = value();
    } else if (a == "--listen") {
      auto v = value();
      if (!parse_listen(v, options.host, options.port)) {
        std::fprintf(stderr, "podvisor-apiserver: --listen wants HOST:PORT, got \"%s\"\n", v.c_str());
        return 2;
      }
    } else if (a == "--component") {
      auto name = value();
      if (std::find(options.components.begin(), options.components.end(), name) == options.components.end())
        options.components.push_back(std::move(name));
    } else if (a == "--tls-ip") {
      options.extra_ips.push_back(value());
    } else if (a == "--history") {
      auto v = value();
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 9) {
        std::fprintf(stderr, "podvisor-apiserver: --history wants a positive number\n");
        return 2;
      }
      options.history_size = std::stoul(v);
    } else if (a == "--log-level") {
      auto v = value();
      if (!podvisor::log::configure(std::string_view(v)).ok()) {
        std::fprintf(stderr, "podvisor-apiserver: bad --log-level \"%s\"\n", v.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "podvisor-apiserver: unknown flag \"%.*s\"; see --help\n", static_cast<int>(a.size()),
                   a.data());
      return 2;
    }
  }
  if (options.data_dir.empty()) {
    std::fputs("podvisor-apiserver: --data-dir is required (see --help)\n", stderr);
    return 2;
  }

  if (pipe(wake_pipe) != 0) {
    std::perror("podvisor-apiserver: pipe");
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = api::embedded_server::start(options);
  if (!server) {
    std::fprintf(stderr, "podvisor-apiserver: %s\n", server.error().to_string().c_str());
    return 1;
  }
  std::printf("podvisor-apiserver %s listening on %s\n", podvisor::version_string, server.value()->url().c_str());
  std::printf("admin kubeconfig: %s\n", server.value()->admin_kubeconfig().c_str());
  std::fflush(stdout);

  while (!stop_requested) {
    char c;
    if (read(wake_pipe[0], &c, 1) < 0 && errno != EINTR)
      break;
  }
  std::printf("podvisor-apiserver: stopping\n");
  server.value()->stop();
  return 0;
}
