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
  --capabilities-cache DIR  the node's QEMU capabilities cache (the controller's
                          --capabilities-cache); with --launcher-binary, the agent
                          fills it when it starts (runs the launcher with
                          --warm-capabilities), so that no VM start on this node
                          waits for libvirt to probe QEMU
  --launcher-binary PATH  the podvisor-launcher that warms the cache

Introspection (off unless --introspection-listen is given; HTTPS, bearer token,
read-only: /healthz, /metrics, /v1/supervisors[/NS/NAME[?watch=true]],
/v1/supervisors/NS/NAME/console[?tail=KIB&follow=true]):
  --introspection-listen ADDR:PORT    where to listen (port 0 picks a free one;
                          [IPv6]:PORT for IPv6)
  --introspection-cert FILE           the PEM serving certificate (chain, leaf first)
  --introspection-key FILE            its PEM private key
  --introspection-token-file FILE     the bearer token clients must send
  --introspection-advertise HOST      the host published in the Node annotation
                          podvisor.io/introspection-endpoint (default: the listen
                          address; required when that is 0.0.0.0 or ::)
  --heartbeat-interval SECONDS
                          how often the agent writes its heartbeat on the Node
                          (label podvisor.io/schedulable "true", annotations
                          podvisor.io/agent-heartbeat and podvisor.io/kvm); default
                          15, from 1 to 3600; keep it well below the controller's
                          --node-monitor-grace-period
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
    if (a == "--heartbeat-interval") {
      if (!has_inline) {
        if (i + 1 >= args.size())
          return error{errc::invalid_argument, "--heartbeat-interval needs a value"};
        value = args[++i];
      }
      bool digits = !value.empty() && value.size() <= 4;
      int seconds = 0;
      for (char c : value) {
        digits = digits && c >= '0' && c <= '9';
        seconds = seconds * 10 + (c - '0');
      }
      if (!digits || seconds < 1 || seconds > 3600)
        return error{errc::invalid_argument,
                     "--heartbeat-interval must be whole seconds from 1 to 3600, not \"" + value + "\""};
      o.heartbeat_interval = std::chrono::seconds{seconds};
      continue;
    }
    if (a != "--kubeconfig" && a != "--node-name" && a != "--vmi-dir-root" && a != "--log-level"
        && a != "--introspection-listen" && a != "--introspection-cert" && a != "--introspection-key"
        && a != "--introspection-token-file" && a != "--introspection-advertise" && a != "--capabilities-cache"
        && a != "--launcher-binary")
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
    } else if (a == "--introspection-listen") {
      auto colon = value.rfind(':');
      auto host = colon == std::string::npos ? std::string{} : value.substr(0, colon);
      auto port = colon == std::string::npos ? std::string{} : value.substr(colon + 1);
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
      bool digits = !port.empty() && port.size() <= 5;
      int n = 0;
      for (char c : port) {
        digits = digits && c >= '0' && c <= '9';
        n = n * 10 + (c - '0');
      }
      if (host.empty() || !digits || n > 65535)
        return error{errc::invalid_argument,
                     "--introspection-listen must be ADDR:PORT with a port from 0 to 65535, not \"" + value + "\""};
      o.introspection_host = host;
      o.introspection_port = n;
    } else if (a == "--introspection-cert") {
      o.introspection_cert = value;
    } else if (a == "--introspection-key") {
      o.introspection_key = value;
    } else if (a == "--introspection-token-file") {
      o.introspection_token_file = value;
    } else if (a == "--introspection-advertise") {
      o.introspection_advertise = value;
    } else if (a == "--capabilities-cache" || a == "--launcher-binary") {
      if (value.front() != '/')
        return error{errc::invalid_argument, std::string(a) + " must be an absolute path, not \"" + value + "\""};
      (a == "--launcher-binary" ? o.launcher_binary : o.capabilities_cache) = value;
    } else {
      o.log_level = value;
    }
  }
  if (o.node_name.empty())
    return error{errc::invalid_argument, "--node-name is required (the node this agent runs on)"};
  if (o.launcher_binary.empty() != o.capabilities_cache.empty())
    return error{errc::invalid_argument, "--capabilities-cache and --launcher-binary go together (the launcher warms "
                                         "the cache)"};
  bool listen = o.introspection_port >= 0;
  for (const auto& [flag, v] : {std::pair<const char*, const std::string*>{"--introspection-cert", &o.introspection_cert},
                                {"--introspection-key", &o.introspection_key},
                                {"--introspection-token-file", &o.introspection_token_file}}) {
    if (listen && v->empty())
      return error{errc::invalid_argument, std::string(flag) + " is required with --introspection-listen"};
    if (!listen && !v->empty())
      return error{errc::invalid_argument, std::string(flag) + " needs --introspection-listen"};
  }
  if (!listen && !o.introspection_advertise.empty())
    return error{errc::invalid_argument, "--introspection-advertise needs --introspection-listen"};
  if (listen && o.introspection_advertise.empty()) {
    if (o.introspection_host == "0.0.0.0" || o.introspection_host == "::")
      return error{errc::invalid_argument, "--introspection-advertise is required when listening on "
                                             + o.introspection_host + " (which address should clients use?)"};
    o.introspection_advertise = o.introspection_host;
  }
  return o;
}

} // namespace podvisor::cmd::agent
