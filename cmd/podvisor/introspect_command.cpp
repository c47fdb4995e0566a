// `podvisor introspect vmi NAME`: finds the node agent that runs the VMI (through the
// API: the VMI's node, the node's endpoint annotation, the introspection Secret) and
// shows its supervisor, once or following the stream.

#include <cstdio>
#include <string>

#include "cmd/podvisor/commands.hpp"
#include "cmd/podvisor/introspect_report.hpp"
#include "cmd/podvisor/agent_connection.hpp"
#include "cmd/podvisor/introspect_target.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"

namespace podvisor::cli {

namespace {

constexpr const char* introspect_usage = R"(Usage:
  podvisor introspect vmi NAME [-n NAMESPACE] [--kubeconfig FILE] [-o json] [--watch]

Shows what the node agent running the VMI knows about it: the supervisor's state and
the timeline of its transitions with their durations, the launcher and QEMU pids, the
domain state, the network wiring (bridge, tap, addresses, nftables), the DHCP lease and
the last errors. The agent is found through the API: the VMI's status.nodeName, the
Node's podvisor.io/introspection-endpoint annotation, and the token and CA in the Secret
kube-system/podvisor-introspection (the agent's certificate is verified against that CA).

Flags:
  -n, --namespace NS    the VMI's namespace (default: the kubeconfig context's)
  --kubeconfig FILE     the cluster to talk to (default: $KUBECONFIG, in-cluster,
                        ~/.kube/config)
  -o, --output FORMAT   text (default) or json (the agent's snapshot as it is)
  -w, --watch           follow: print each transition as it happens (with -o json, one
                        snapshot per line)
)";

int fail(const error& e) {
  std::fprintf(stderr, "podvisor introspect: %s\n", e.to_string().c_str());
  return 1;
}

} // namespace

int run_introspect(const std::vector<std::string_view>& args) {
  auto options = parse_introspect_args(args);
  if (!options) {
    std::fprintf(stderr, "podvisor introspect: %s; see --help\n", options.error().message.c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(introspect_usage, stdout);
    return 0;
  }
  // The agent sends a heartbeat line every 15 s on a quiet stream.
  auto conn = connect_to_vmi_agent(options->kubeconfig, options->namespace_, options->name, "podvisor-introspect",
                                   std::chrono::seconds(60));
  if (!conn)
    return fail(conn.error());
  const std::string& ns = conn->ns;
  const introspection_target* target = &conn->target;
  auto& agent = conn->agent;

  auto path = supervisor_path(ns, options->name, options->watch);
  if (!options->watch) {
    auto body = agent->get_raw(path);
    if (!body)
      return fail(explain_agent_error(body.error(), *target, ns, options->name));
    if (options->json) {
      std::fputs(body->c_str(), stdout);
      return 0;
    }
    auto snapshot = nlohmann::json::parse(*body, nullptr, false);
    if (snapshot.is_discarded() || !snapshot.is_object())
      return fail({errc::parse_error, "the node agent on " + target->node + " answered something that is not a snapshot"});
    std::fputs(render_report(snapshot).c_str(), stdout);
    return 0;
  }

  // One snapshot per line; empty lines are heartbeats.
  std::string buffer;
  nlohmann::json previous;
  error bad_line;
  auto on_data = [&](std::string_view data) {
    buffer.append(data);
    std::size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line.empty())
        continue;
      if (options->json) {
        std::fputs((line + "\n").c_str(), stdout);
        std::fflush(stdout);
        continue;
      }
      auto current = nlohmann::json::parse(line, nullptr, false);
      if (current.is_discarded() || !current.is_object()) {
        bad_line = {errc::parse_error, "the node agent on " + target->node + " sent a line that is not a snapshot"};
        return false;
      }
      std::fputs(render_update(previous, current).c_str(), stdout);
      std::fflush(stdout);
      previous = std::move(current);
    }
    if (buffer.size() > 16 * 1024 * 1024) {
      bad_line = {errc::parse_error, "the node agent on " + target->node + " sent a line over 16 MiB"};
      return false;
    }
    return true;
  };
  auto ended = agent->stream_raw(path, on_data);
  if (bad_line)
    return fail(bad_line);
  if (ended)
    return fail(explain_agent_error(ended, *target, ns, options->name));
  // A clean end: the supervisor is gone (the VMI finished or left the node) or the agent
  // stopped; the stream does not say which.
  std::fprintf(stderr, "podvisor introspect: the stream ended (the supervisor of %s/%s on %s is gone, or its node agent stopped)\n",
               ns.c_str(), options->name.c_str(), target->node.c_str());
  return 0;
}

} // namespace podvisor::cli
