#pragma once
// What `podvisor introspect` and `podvisor console` share: from the user's kubeconfig to
// a client of the node agent that runs the VMI (introspect_target.hpp says where the
// endpoint and credentials come from), and the agent's errors in the user's terms.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "cmd/podvisor/introspect_target.hpp"
#include "common/error.hpp"
#include "kube/client/rest_client.hpp"

namespace podvisor::cli {

/// The agent of one VMI and a client for its endpoint.
struct agent_connection {
  std::string ns; ///< the VMI's namespace (the flag's, else the kubeconfig context's)
  introspection_target target;
  std::unique_ptr<kube::client::rest_client> agent;
};

/// Loads the kubeconfig (empty: the default chain), finds the VMI's agent and makes a
/// client that trusts only the Secret's CA and sends its token. `idle_timeout` bounds a
/// stream with no bytes. Errors say which step failed.
expected<agent_connection> connect_to_vmi_agent(const std::string& kubeconfig, const std::string& ns,
                                                std::string_view name, std::string user_agent,
                                                std::chrono::seconds idle_timeout);

/// The agent's error, said in the user's terms (token refused, no supervisor for the VMI,
/// cannot talk to it and why).
error explain_agent_error(const error& e, const introspection_target& t, std::string_view ns, std::string_view name);

} // namespace podvisor::cli
