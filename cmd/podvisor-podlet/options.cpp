#include "cmd/podvisor-podlet/options.hpp"

#include <arpa/inet.h>

#include "kube/api/quantity.hpp"

namespace podvisor::cmd::podlet {

const char* const usage = R"(podvisor-podlet — kubelet's part for one simulated node of a Podvisor cluster

Registers the Node (capacity, addresses, Ready heartbeat), renews its Lease in
kube-node-lease, runs the pods bound to it as sandboxes (network namespace, mount
namespace, cgroup) and reports their status; deletes them gracefully when asked.
Talks only to the API server. SIGTERM/SIGINT stop the podlet and leave pods running.

Usage:
  podvisor-podlet --kubeconfig FILE --node-name NAME --node-ip IP --state-dir DIR [flags]

Flags:
  --kubeconfig FILE          credentials for the API server (required)
  --node-name NAME           the Node's name (required)
  --node-ip IP               the node's InternalIP and the pods' hostIP (required)
  --pod-cidr CIDR            spec.podCIDR, the pods' addresses (e.g. 10.244.1.0/24)
  --node-netns PATH          the node's network namespace file (pods' veths go there)
  --node-bridge NAME         the node's pod bridge inside that namespace
  --gateway IP               the pods' default gateway (the bridge's address)
  --state-dir DIR            the runtime's state: pods survive a podlet restart (required)
  --cpu N                    cpu capacity (a quantity: 4, 500m; default: CPUs online)
  --memory QUANTITY          memory capacity (8Gi; default: the host's memory)
  --max-pods N               pod capacity (default 110)
  --kvm auto|on|off          advertise devices.kubevirt.io/kvm (auto: if KVM can run a
                             guest here; default auto)
  --heartbeat-interval SECS  Node status and Lease renewal period (default 10)
  --log-level SPEC           e.g. info, or warn,pod_manager=debug (also PODVISOR_LOG)
  -h, --help                 this help
  --version                  print the version
)";

namespace {

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_cidr(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos || !is_ipv4(s.substr(0, slash)))
    return false;
  auto bits = s.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 || bits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  return std::stoi(bits) <= 32;
}

std::optional<std::int64_t> positive(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto v = std::stoll(s);
  return v > 0 ? std::optional<std::int64_t>{v} : std::nullopt;
}

error bad(const std::string& flag, const std::string& why) { return {errc::invalid_argument, flag + ": " + why}; }

} // namespace

expected<podlet_options> parse_options(const std::vector<std::string>& args) {
  podlet_options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "-h" || a == "--help") {
      o.help = true;
      continue;
    }
    if (a == "--version") {
      o.version = true;
      continue;
    }
    // Every other flag takes a value, as "--flag value" or "--flag=value".
    std::string flag = a;
    std::string value;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      flag = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else {
      static const char* const known[] = {"--kubeconfig", "--node-name",  "--node-ip", "--pod-cidr",
                                          "--node-netns", "--node-bridge", "--gateway", "--state-dir",
                                          "--cpu",        "--memory",      "--max-pods", "--kvm",
                                          "--heartbeat-interval", "--log-level"};
      bool is_known = false;
      for (const auto* k : known)
        is_known = is_known || flag == k;
      if (!is_known)
        return bad(flag, "unknown flag; see --help");
      if (i + 1 >= args.size())
        return bad(flag, "needs a value");
      value = args[++i];
    }
    if (flag == "--kubeconfig") {
      o.kubeconfig = value;
    } else if (flag == "--node-name") {
      // A Node name is a DNS subdomain: lower-case alphanumerics, '-' and '.'.
      if (value.empty() || value.size() > 253 || value.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.")
                                                     != std::string::npos)
        return bad(flag, "\"" + value + "\" is not a valid node name (lower-case letters, digits, '-', '.')");
      o.node_name = value;
    } else if (flag == "--node-ip") {
      if (!is_ipv4(value))
        return bad(flag, "\"" + value + "\" is not an IPv4 address");
      o.node_ip = value;
    } else if (flag == "--pod-cidr") {
      if (!is_cidr(value))
        return bad(flag, "\"" + value + "\" is not an IPv4 CIDR (10.244.1.0/24)");
      o.pod_cidr = value;
    } else if (flag == "--node-netns") {
      o.node_netns = value;
    } else if (flag == "--node-bridge") {
      o.node_bridge = value;
    } else if (flag == "--gateway") {
      if (!is_ipv4(value))
        return bad(flag, "\"" + value + "\" is not an IPv4 address");
      o.gateway = value;
    } else if (flag == "--state-dir") {
      o.state_dir = value;
    } else if (flag == "--cpu" || flag == "--memory") {
      std::string why;
      auto q = kube::api::quantity::parse(value, &why);
      if (!q)
        return bad(flag, "\"" + value + "\" is not a quantity: " + why);
      (flag == "--cpu" ? o.cpu : o.memory) = value;
    } else if (flag == "--max-pods") {
      auto n = positive(value);
      if (!n)
        return bad(flag, "wants a positive number, got \"" + value + "\"");
      o.max_pods = *n;
    } else if (flag == "--kvm") {
      if (value == "auto")
        o.kvm = kvm_mode::automatic;
      else if (value == "on")
        o.kvm = kvm_mode::on;
      else if (value == "off")
        o.kvm = kvm_mode::off;
      else
        return bad(flag, "wants auto, on or off, got \"" + value + "\"");
    } else if (flag == "--heartbeat-interval") {
      auto n = positive(value);
      if (!n)
        return bad(flag, "wants a positive number of seconds, got \"" + value + "\"");
      o.heartbeat_interval = std::chrono::seconds{*n};
    } else if (flag == "--log-level") {
      o.log_level = value;
    } else {
      return bad(flag, "unknown flag; see --help");
    }
  }
  if (o.help || o.version)
    return o;
  for (auto [flag, value] : {std::pair{"--kubeconfig", &o.kubeconfig}, std::pair{"--node-name", &o.node_name},
                             std::pair{"--node-ip", &o.node_ip}, std::pair{"--state-dir", &o.state_dir}})
    if (value->empty())
      return bad(flag, "is required (see --help)");
  return o;
}

} // namespace podvisor::cmd::podlet
