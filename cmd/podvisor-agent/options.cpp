#include "cmd/podvisor-agent/options.hpp"

#include <string_view>

namespace podvisor::cmd::agent {

const char* const usage = R"(podvisor-agent — Podvisor's node agent (KubeVirt's virt-handler)

Takes over every VirtualMachineInstance that the controller made Scheduled on this
node: waits for its launcher's control socket (VMI-DIR-ROOT/<uid>/control.sock), wires
the pod network inside the launcher pod's namespace (masquerade or bridge), tells the
launcher to start, and writes the VMI's status (Running with the guest's address from
the DHCP lease; Succeeded or Failed with the reason). A deleted VMI is shut down with
its grace period. Restarted, it re-adopts running VMs without starting them again.
Runs as root.

Usage:
  podvisor-agent --node-name NODE [flags]

Flags:
  --node-name NODE        this node (required): VMIs with status.nodeName NODE
  --kubeconfig FILE       API server and credentials (default: $KUBECONFIG, the
                          in-cluster service account, then ~/.kube/config)
  --vmi-dir-root DIR      the host directory shared with launcher pods, one <uid>/
                          per VMI (default /var/run/podvisor/vmis; must match the
                          controller's --agent-dir)
  --log-level SPEC        e.g. info, or warn,agent=debug (also PODVISOR_LOG)
  -h, --help              this help
  --version               print the version

Exit codes: 0 after SIGTERM/SIGINT, 1 on a failure, 2 for bad flags.
)";

expected<agent_options> parse_options(const std::vector<std::string>& args) {
  agent_options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    std::string value;
    bool has_inline = false;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
      value = std::string(a.substr(eq + 1));
      a = a.substr(0, eq);
      has_inline = true;
    }
    if (a == "-h" || a == "--help") {
      o.help = true;
      return o;
    }
    if (a == "--version") {
      o.version = true;
      return o;
    }
    if (a != "--kubeconfig" && a != "--node-name" && a != "--vmi-dir-root" && a != "--log-level")
      return error{errc::invalid_argument, "unknown flag \"" + std::string(a) + "\"; see --help"};
    if (!has_inline) {
      if (i + 1 >= args.size())
        return error{errc::invalid_argument, std::string(a) + " needs a value"};
      value = args[++i];
    }
    if (value.empty())
      return error{errc::invalid_argument, std::string(a) + " must not be empty"};
    if (a == "--kubeconfig") {
      o.kubeconfig = value;
    } else if (a == "--node-name") {
      o.node_name = value;
    } else if (a == "--vmi-dir-root") {
      if (value.front() != '/')
        return error{errc::invalid_argument, "--vmi-dir-root must be an absolute path, not \"" + value + "\""};
      o.vmi_dir_root = value;
    } else {
      o.log_level = value;
    }
  }
  if (o.node_name.empty())
    return error{errc::invalid_argument, "--node-name is required (the node this agent runs on)"};
  return o;
}

} // namespace podvisor::cmd::agent
