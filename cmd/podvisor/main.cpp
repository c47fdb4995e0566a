// podvisor: the user's command-line tool (KubeVirt's virtctl counterpart).
// This file only dispatches to commands; each command lives in its own file.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/podvisor/commands.hpp"
#include "podvisor/version.hpp"

namespace {

constexpr const char* usage = R"(podvisor — virtual machines in Kubernetes pods

Usage:
  podvisor <command> [flags]

Commands:
  up          run Podvisor on this machine: the embedded cluster (API server,
              simulated nodes, scheduler, controller) with examples/ applied
  validate    decode, default and validate manifests as the API server admits them
  start       start a VirtualMachine:   podvisor start vm NAME [-n NS] [--kubeconfig F]
  stop        stop a VirtualMachine:    podvisor stop vm NAME [-n NS] [--kubeconfig F]
  restart     restart a VirtualMachine: podvisor restart vm NAME [-n NS] [--kubeconfig F]
  introspect  what the node agent knows about a VMI (state, timeline, wiring):
              podvisor introspect vmi NAME [-n NS] [-o json] [--watch]
  console     a VMI's serial console, read-only (from its node agent):
              podvisor console vmi NAME [-n NS] [-f]
  version     print the version

Flags:
  -h, --help     show help (also after a command: podvisor validate --help)
  --version      print the version
)";

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(usage, stderr);
    return 2;
  }
  std::string_view command = args.front();
  std::vector<std::string_view> rest(args.begin() + 1, args.end());
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(usage, stdout);
    return 0;
  }
  if (command == "--version" || command == "version") {
    std::printf("podvisor %s\n", podvisor::version_string);
    return 0;
  }
  if (command == "validate")
    return podvisor::cli::run_validate(rest);
  if (command == "up")
    return podvisor::cli::run_up(rest);
  if (command == "start" || command == "stop" || command == "restart")
    return podvisor::cli::run_power(command, rest);
  if (command == "introspect")
    return podvisor::cli::run_introspect(rest);
  if (command == "console")
    return podvisor::cli::run_console(rest);
  std::fprintf(stderr, "podvisor: unknown command \"%.*s\"; see podvisor --help\n",
               static_cast<int>(command.size()), command.data());
  return 2;
}
