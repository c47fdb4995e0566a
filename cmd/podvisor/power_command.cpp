// `podvisor start|stop|restart vm NAME`: reads the VM and its VMI, and sends the one
// patch vm_power.hpp plans (a run strategy change or state change requests).

#include <cstdio>
#include <string>

#include "cmd/podvisor/commands.hpp"
#include "cmd/podvisor/vm_power.hpp"
#include "kube/client/config.hpp"
#include "kube/client/rest_client.hpp"

namespace podvisor::cli {

namespace {

constexpr const char* power_usage = R"(Usage:
  podvisor start vm NAME [-n NAMESPACE] [--kubeconfig FILE]
  podvisor stop vm NAME [-n NAMESPACE] [--kubeconfig FILE]
  podvisor restart vm NAME [-n NAMESPACE] [--kubeconfig FILE]

Starts, stops or restarts a VirtualMachine as KubeVirt's virtctl does: by changing
spec.runStrategy (start on Halted → Always; stop on Always, Once or WaitAsReceiver →
Halted) or by adding Start/Stop requests to status.stateChangeRequests that the
controller serves (Manual, RerunOnFailure; restart = Stop then Start).

Flags:
  -n, --namespace NS    the VM's namespace (default: the kubeconfig context's)
  --kubeconfig FILE     the cluster to talk to (default: $KUBECONFIG, in-cluster,
                        ~/.kube/config)
)";

int fail(std::string_view verb, const error& e) {
  std::fprintf(stderr, "podvisor %.*s: %s\n", static_cast<int>(verb.size()), verb.data(), e.to_string().c_str());
  return 1;
}

} // namespace

int run_power(std::string_view verb, const std::vector<std::string_view>& args) {
  auto action = parse_power_action(verb);
  auto options = parse_power_args(args);
  if (!action || !options) {
    if (options)
      std::fprintf(stderr, "podvisor: unknown action\n");
    else
      std::fprintf(stderr, "podvisor %.*s: %s; see --help\n", static_cast<int>(verb.size()), verb.data(),
                   options.error().message.c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(power_usage, stdout);
    return 0;
  }
  auto config = kube::client::load_default_config(options->kubeconfig);
  if (!config)
    return fail(verb, config.error());
  std::string ns = options->namespace_.empty() ? config->namespace_ : options->namespace_;
  auto client = kube::client::rest_client::create(std::move(config.value()));
  if (!client)
    return fail(verb, client.error());
  auto& api = *client.value();

  auto vm = api.get(kube::client::resources::virtual_machines(), ns, options->name);
  if (!vm)
    return fail(verb, vm.error());
  auto vmi = api.get(kube::client::resources::virtual_machine_instances(), ns, options->name);
  if (!vmi && vmi.error() != errc::not_found)
    return fail(verb, vmi.error());

  auto plan = plan_power(*action, vm.value(), vmi ? &vmi.value() : nullptr);
  if (!plan)
    return fail(verb, plan.error());
  auto sent = plan->status_subresource
                ? api.patch(kube::client::resources::virtual_machines(), ns, options->name,
                            kube::client::patch_type::json, plan->body, "status")
                : api.patch(kube::client::resources::virtual_machines(), ns, options->name,
                            kube::client::patch_type::merge, plan->body);
  if (!sent)
    return fail(verb, sent.error());
  std::printf("VM %s/%s was scheduled to %.*s (%s)\n", ns.c_str(), options->name.c_str(),
              static_cast<int>(verb.size()), verb.data(), plan->summary.c_str());
  return 0;
}

} // namespace podvisor::cli
