// `podvisor introspect vmi NAME`: finds the node agent that runs the VMI (through the
// API: the VMI's node, the node's endpoint annotation, the introspection Secret) and
// shows its supervisor, once or following the stream.

#include <cstdio>
#include <string>

#include "cmd/podvisor/commands.hpp"
#include "cmd/podvisor/introspect_report.hpp"
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

/// The agent's error, said in the user's terms.
error explain(const error& e, const introspection_target& t, std::string_view ns, std::string_view name) {
  auto where = "the node agent on " + t.node + " (" + t.endpoint + ")";
  switch (e.code) {
  case errc::unauthorized:
    return {e.code, where + " refused the token from Secret kube-system/podvisor-introspection"};
  case errc::not_found:
    return {e.code, where + " has no supervisor for " + std::string(ns) + "/" + std::string(name)
                      + " (not picked up yet, or already finished)"};
  case errc::unavailable:
  case errc::timeout:
    // e.message carries the transport's reason: refused, unreachable, or what TLS
    // verification against the Secret's ca.crt said.
    return {e.code, "cannot talk to " + where + ": " + e.message};
  default:
    return e.with_context("asking " + where);
  }
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
  auto config = kube::client::load_default_config(options->kubeconfig);
  if (!config)
    return fail(config.error());
  std::string ns = options->namespace_.empty() ? config->namespace_ : options->namespace_;
  auto api = kube::client::rest_client::create(std::move(config.value()));
  if (!api)
    return fail(api.error());
  auto target = find_introspection_target(*api.value(), ns, options->name);
  if (!target)
    return fail(target.error());

  kube::client::client_config agent_config;
  agent_config.server = target->endpoint;
  agent_config.ca_pem = target->ca_pem;
  agent_config.token = target->token;
  agent_config.user_agent = "podvisor-introspect";
  // The agent sends a heartbeat line every 15 s on a quiet stream.
  agent_config.watch_idle_timeout = std::chrono::seconds(60);
  auto agent = kube::client::rest_client::create(std::move(agent_config));
  if (!agent)
    return fail(agent.error().with_context("the endpoint of node " + target->node));

  auto path = supervisor_path(ns, options->name, options->watch);
  if (!options->watch) {
    auto body = agent.value()->get_raw(path);
    if (!body)
      return fail(explain(body.error(), *target, ns, options->name));
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
  auto ended = agent.value()->stream_raw(path, on_data);
  if (bad_line)
    return fail(bad_line);
  if (ended)
    return fail(explain(ended, *target, ns, options->name));
  // A clean end: the supervisor is gone (the VMI finished or left the node) or the agent
  // stopped; the stream does not say which.
  std::fprintf(stderr, "podvisor introspect: the stream ended (the supervisor of %s/%s on %s is gone, or its node agent stopped)\n",
               ns.c_str(), options->name.c_str(), target->node.c_str());
  return 0;
}

} // namespace podvisor::cli
