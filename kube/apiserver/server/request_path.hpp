#pragma once
// Parsing a Kubernetes API request path into what it addresses, as kube-apiserver's
// RequestInfoFactory does:
//   /api/v1/namespaces/default/pods/web/status → core v1, ns default, pods, web, status
//   /apis/kubevirt.io/v1/virtualmachineinstances → kubevirt.io v1, all namespaces
// Anything else (/version, /healthz, /openapi/v3/...) is a non-resource path.

#include <optional>
#include <string>
#include <string_view>

namespace podvisor::kube::apiserver {

/// What a path addresses.
struct request_path {
  /// True for /api/... and /apis/... paths down to a resource; false for discovery of
  /// /api, /apis, /apis/G, /api/v1, /apis/G/V (see `discovery`) and non-resource paths.
  bool is_resource = false;
  /// For discovery paths: "api", "apis", "group", "version"; empty otherwise.
  std::string discovery;
  std::string group;   ///< "" for the core group
  std::string version; ///< "v1"
  std::string namespace_;
  std::string resource; ///< plural, e.g. "pods"
  std::string name;
  std::string subresource; ///< "status", "binding", ...
};

/// Why a path was refused.
struct path_error {
  int code = 404;
  std::string message;
};

/// Parses `path` (already percent-decoded, without the query). Segments must be
/// non-empty, and names must not be "." or ".." or contain control characters (a name
/// can never be a path: "/" cannot occur in one segment). Returns nothing for a
/// non-resource path, which the caller serves or answers 404.
std::optional<request_path> parse_request_path(std::string_view path, path_error& error,
                                               bool& is_api_path);

} // namespace podvisor::kube::apiserver
