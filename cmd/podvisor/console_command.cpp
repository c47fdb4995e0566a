// `podvisor console vmi NAME`: the VM's serial console, read-only, from the node agent
// that runs it (found as `podvisor introspect` finds it: introspect_target.hpp). Prints
// the end of the serial log, and with -f follows it as the guest writes.

#include <cstdio>
#include <string>

#include "cmd/podvisor/commands.hpp"
#include "cmd/podvisor/console_args.hpp"
#include "cmd/podvisor/introspect_target.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"

namespace podvisor::cli {

namespace {

constexpr const char* console_usage = R"(Usage:
  podvisor console vmi NAME [-n NAMESPACE] [--kubeconfig FILE] [-f] [--tail KIB]

Shows the VMI's serial console (read-only): the end of its serial log as the node agent
running the VMI reads it from the launcher, and with -f everything the guest writes
afterwards, until Ctrl-C or the VM stops. The agent is found as for `podvisor
introspect` (the VMI's node, the Node's podvisor.io/introspection-endpoint annotation,
the Secret kube-system/podvisor-introspection).

Flags:
  -n, --namespace NS    the VMI's namespace (default: the kubeconfig context's)
  --kubeconfig FILE     the cluster to talk to
  -f, --follow          keep printing what the guest writes
  --tail KIB            how much of the log's end to show first, 1-1024 KiB (default 64)
)";

int fail(const error& e) {
  std::fprintf(stderr, "podvisor console: %s\n", e.to_string().c_str());
  return 1;
}

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
    return {e.code, where + ": " + e.message};
  default:
    return e.with_context("asking " + where);
  }
}

} // namespace

int run_console(const std::vector<std::string_view>& args) {
  auto options = parse_console_args(args);
  if (!options) {
    std::fprintf(stderr, "podvisor console: %s; see --help\n", options.error().message.c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(console_usage, stdout);
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
  agent_config.user_agent = "podvisor-console";
  // A quiet guest writes nothing for hours; the connection's end says when it is over.
  agent_config.watch_idle_timeout = std::chrono::hours(24 * 365);
  auto agent = kube::client::rest_client::create(std::move(agent_config));
  if (!agent)
    return fail(agent.error().with_context("the endpoint of node " + target->node));

  auto path = console_path(ns, options->name, options->tail_kib, options->follow);
  if (!options->follow) {
    auto body = agent.value()->get_raw(path);
    if (!body)
      return fail(explain(body.error(), *target, ns, options->name));
    std::fwrite(body->data(), 1, body->size(), stdout);
    return 0;
  }
  auto ended = agent.value()->stream_raw(path, [](std::string_view data) {
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  if (ended)
    return fail(explain(ended, *target, ns, options->name));
  std::fprintf(stderr, "\npodvisor console: the console of %s/%s ended (the VM stopped, or its node agent did)\n",
               ns.c_str(), options->name.c_str());
  return 0;
}

} // namespace podvisor::cli
