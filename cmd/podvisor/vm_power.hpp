#pragma once
// `podvisor start|stop|restart vm NAME`: what KubeVirt's virtctl and its start, stop and
// restart subresources do to a VirtualMachine, as a pure function from the VM (and its
// VMI) to one patch, so that every run strategy is unit tested without a server.
//
//   strategy         start                       stop                    restart
//   Halted           runStrategy → Always        Stop request *          refused
//   Always           refused (always started)    runStrategy → Halted    Stop + Start requests
//   RerunOnFailure   Start request **            Stop request *          Stop + Start requests
//   Manual           Start request **            Stop request *          Stop + Start requests
//   Once             refused                     runStrategy → Halted    refused
//   WaitAsReceiver   refused                     runStrategy → Halted    refused
//
//   *  refused when no VMI runs ("VM is not running").
//   ** refused while a VMI runs ("VM is already running"); an ended VMI is stopped
//      first (Stop for its uid, then Start).
// Restart needs a VMI. Requests go to status.stateChangeRequests through a JSON patch on
// the status subresource; while requests are pending, a new Start or restart is refused
// ("already underway") and a Stop replaces them. A VM written with the deprecated
// spec.running gets spec.runStrategy instead (running removed) when its strategy changes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace podvisor::cli {

enum class power_action { start, stop, restart };

/// "start", "stop", "restart" → the action.
std::optional<power_action> parse_power_action(std::string_view word);

/// The command line after the action: `vm NAME [-n NS] [--kubeconfig FILE]`.
struct power_options {
  std::string name;
  std::string namespace_; ///< empty: the kubeconfig context's namespace
  std::string kubeconfig; ///< empty: $KUBECONFIG, in-cluster, ~/.kube/config
  bool help = false;
};

/// Parses the arguments after the action word; errors are errc::invalid_argument with
/// a message for the user.
expected<power_options> parse_power_args(const std::vector<std::string_view>& args);

/// One patch to send to the VM.
struct power_patch {
  /// true: a JSON patch (application/json-patch+json) on the status subresource;
  /// false: a merge patch on the VM itself.
  bool status_subresource = false;
  nlohmann::json body;
  std::string summary; ///< what it does, for the user ("runStrategy Always")
};

/// The patch for `action` on `vm` (a VirtualMachine as JSON), given its VMI (nullptr:
/// none). Refusals are errc::conflict (state) or errc::invalid_argument (unsupported for
/// the run strategy), with KubeVirt's wording.
expected<power_patch> plan_power(power_action action, const nlohmann::json& vm, const nlohmann::json* vmi);

} // namespace podvisor::cli
