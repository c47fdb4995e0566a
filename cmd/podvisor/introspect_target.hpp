#pragma once
// `podvisor introspect vmi NAME`: its command line, and where the node agent that runs
// the VMI serves introspection (introspect/publication.hpp). The agent's endpoint is
// published on its Node:
//
//   Node.metadata.annotations["podvisor.io/introspection-endpoint"] = "https://10.x.y.z:8443"
//
// and the credentials in the Secret kube-system/podvisor-introspection: `token` (the
// bearer token every agent accepts) and `ca.crt` (the CA that signed the agents' serving
// certificates; the CLI trusts only it), both base64 in .data as usual.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "introspect/publication.hpp"
#include "kube/client/api_client.hpp"

namespace podvisor::cli {

inline constexpr std::string_view introspection_endpoint_annotation = introspect::endpoint_annotation;
inline constexpr std::string_view introspection_secret_namespace = introspect::secret_namespace;
inline constexpr std::string_view introspection_secret_name = introspect::secret_name;

/// `vmi NAME [-n NS] [--kubeconfig FILE] [-o json] [--watch]`.
struct introspect_options {
  std::string name;
  std::string namespace_; ///< empty: the kubeconfig context's namespace
  std::string kubeconfig; ///< empty: $KUBECONFIG, in-cluster, ~/.kube/config
  bool json = false;      ///< -o json: the agent's JSON as it is
  bool watch = false;     ///< follow the stream of snapshots
  bool help = false;
};

/// Parses the arguments after "introspect"; invalid_argument with a message for the user.
expected<introspect_options> parse_introspect_args(const std::vector<std::string_view>& args);

/// Where to ask and with what.
struct introspection_target {
  std::string node;
  std::string endpoint; ///< "https://host:port"
  std::string token;
  std::string ca_pem;
};

/// Finds the VMI's node, the node's endpoint and the credentials. Errors say what is
/// missing: not_found (VMI, Node, annotation, Secret or one of its keys), unavailable
/// (the VMI is not scheduled yet), invalid_argument (an endpoint that is not https, keys
/// that are not base64), or the API's own error (forbidden, unreachable, ...).
expected<introspection_target> find_introspection_target(kube::client::api_client& api, std::string_view ns,
                                                         std::string_view name);

/// "/v1/supervisors/NS/NAME" (+ "?watch=true").
std::string supervisor_path(std::string_view ns, std::string_view name, bool watch);

} // namespace podvisor::cli
