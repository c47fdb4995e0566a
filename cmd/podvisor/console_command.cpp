// `podvisor console vmi NAME`: the VM's serial console, read-only, from the node agent
// that runs it (found as `podvisor introspect` finds it: introspect_target.hpp). Prints
// the end of the serial log, and with -f follows it as the guest writes.

#include <cstdio>
#include <string>

#include "cmd/podvisor/commands.hpp"
#include "cmd/podvisor/console_args.hpp"
#include "cmd/podvisor/agent_connection.hpp"
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
  // A quiet guest writes nothing for hours; the connection's end says when it is over.
  auto conn = connect_to_vmi_agent(options->kubeconfig, options->namespace_, options->name, "podvisor-console",
                                   std::chrono::hours(24 * 365));
  if (!conn)
    return fail(conn.error());
  const std::string& ns = conn->ns;
  const introspection_target* target = &conn->target;
  auto& agent = conn->agent;

  auto path = console_path(ns, options->name, options->tail_kib, options->follow);
  if (!options->follow) {
    auto body = agent->get_raw(path);
    if (!body)
      return fail(explain_agent_error(body.error(), *target, ns, options->name));
    std::fwrite(body->data(), 1, body->size(), stdout);
    return 0;
  }
  auto ended = agent->stream_raw(path, [](std::string_view data) {
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  if (ended)
    return fail(explain_agent_error(ended, *target, ns, options->name));
  std::fprintf(stderr, "\npodvisor console: the console of %s/%s ended (the VM stopped, or its node agent did)\n",
               ns.c_str(), options->name.c_str());
  return 0;
}

} // namespace podvisor::cli
