#include "cmd/podvisor/agent_connection.hpp"

#include "kube/client/config.hpp"

namespace podvisor::cli {

expected<agent_connection> connect_to_vmi_agent(const std::string& kubeconfig, const std::string& ns,
                                                std::string_view name, std::string user_agent,
                                                std::chrono::seconds idle_timeout) {
  auto config = kube::client::load_default_config(kubeconfig);
  if (!config)
    return config.error();
  agent_connection out;
  out.ns = ns.empty() ? config->namespace_ : ns;
  auto api = kube::client::rest_client::create(std::move(config.value()));
  if (!api)
    return api.error();
  auto target = find_introspection_target(*api.value(), out.ns, name);
  if (!target)
    return target.error();
  out.target = std::move(target.value());

  kube::client::client_config agent_config;
  agent_config.server = out.target.endpoint;
  agent_config.ca_pem = out.target.ca_pem;
  agent_config.token = out.target.token;
  agent_config.user_agent = std::move(user_agent);
  agent_config.watch_idle_timeout = idle_timeout;
  auto agent = kube::client::rest_client::create(std::move(agent_config));
  if (!agent)
    return agent.error().with_context("the endpoint of node " + out.target.node);
  out.agent = std::move(agent.value());
  return out;
}

error explain_agent_error(const error& e, const introspection_target& t, std::string_view ns, std::string_view name) {
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

} // namespace podvisor::cli
