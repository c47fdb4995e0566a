#pragma once
// Discovery documents, the first thing every kubectl command and client library reads:
//   GET /api            APIVersions (legacy) or an APIGroupDiscoveryList for the core group
//   GET /apis           APIGroupList (legacy) or an APIGroupDiscoveryList of all other groups
//   GET /api/v1, /apis/G/V  APIResourceList
//   GET /version        version.Info
// The legacy forms are mandatory (the Python client only reads those); the aggregated
// apidiscovery.k8s.io/v2 form is sent only when negotiate_discovery (accept.hpp) allows.

#include <optional>
#include <string>
#include <string_view>

#include "kube/apiserver/resources/registry.hpp"

namespace podvisor::kube::apiserver {

/// GET /api (legacy): the core versions and the address clients should use
/// (`serverAddressByClientCIDRs`, one entry for 0.0.0.0/0), e.g. "127.0.0.1:6443".
json api_versions(std::string_view server_address);

/// GET /apis (legacy): every non-core group with its versions and preferred version.
json api_group_list(const registry_snapshot& snapshot);

/// GET /api/v1 or /apis/G/V: the resources of one group-version, subresources included
/// ("pods/status", "pods/binding"), sorted by name. Nothing when the group-version is not
/// served (the caller answers 404).
std::optional<json> api_resource_list(const registry_snapshot& snapshot, std::string_view group,
                                      std::string_view version);

/// GET /api (core = true) or /apis (core = false), aggregated: an
/// apidiscovery.k8s.io/v2 APIGroupDiscoveryList. The core group's item has an empty name.
json aggregated_discovery(const registry_snapshot& snapshot, bool core);

/// What GET /version reports. kubectl's gcloud dispatcher picks the kubectl binary from
/// the minor version, so this claims to be a Kubernetes v1.32.0 server.
struct server_version {
  std::string major = "1";
  std::string minor = "32";
  std::string git_version = "v1.32.0";
  /// Identifies the build serving the API (Podvisor's version), in place of a git commit.
  std::string git_commit = "podvisor";
  std::string build_date = "1970-01-01T00:00:00Z";
  /// "linux/amd64"; defaults to the platform this was compiled for.
  std::string platform;
};

/// The version.Info JSON: major, minor, gitVersion, gitCommit, gitTreeState, buildDate,
/// goVersion, compiler, platform.
json version_info(const server_version& v = {});

} // namespace podvisor::kube::apiserver
