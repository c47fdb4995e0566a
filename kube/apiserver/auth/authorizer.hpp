#pragma once
// Authorization: may this user do this verb to this resource (or path)? A fixed rule
// table in the spirit of RBAC's bootstrap roles; a user is allowed when any rule for any
// of their groups matches:
//
//   group                   verbs              resource requests   non-resource paths
//   system:masters          *                  all                 all
//   podvisor:components     *                  all                 all
//   podvisor:viewers        get, list, watch   all                 all
//   system:authenticated    get                none                /api, /api/*, /apis, /apis/*,
//                                                                  /openapi, /openapi/*, /version,
//                                                                  /version/, /healthz, /livez, /readyz
//   system:unauthenticated  get                none                /healthz, /livez, /readyz,
//                                                                  /version, /version/
//
// "All" covers every API group, resource, subresource and namespace. The last two rows
// are Kubernetes' system:discovery and system:public-info-viewer roles. Components get
// everything for now; narrowing them (the node agent to its own node's pods, as the Node
// authorizer does) means adding rows, not changing the mechanism.
//
// Denials look like kube-apiserver's: an authenticated user gets 403 Forbidden with the
// RBAC message, e.g.
//   virtualmachineinstances.kubevirt.io is forbidden: User "podvisor-viewer" cannot create
//   resource "virtualmachineinstances" in API group "kubevirt.io" in the namespace "default"
// An anonymous request outside its paths gets 401 Unauthorized, as kube-apiserver does
// when anonymous access is limited to health and version endpoints; so does a rejected
// token (authn_status::rejected), whatever the path.

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kube/api/enum_table.hpp"
#include "kube/apiserver/auth/user_info.hpp"

namespace podvisor::kube::apiserver {

/// What a request does, as the HTTP layer derives it from method and path (k8s.io/apiserver
/// authorizer.Attributes).
struct request_attributes {
  /// Resource requests: get, list, watch, create, update, patch, delete, deletecollection.
  /// Non-resource requests: the lowercase HTTP method (get, post, ...).
  std::string verb{};
  /// True for /api/... and /apis/... object paths; false for /healthz, /version,
  /// discovery documents and other plain paths.
  bool resource_request = true;
  /// API group; empty for the core group.
  std::string api_group{};
  /// Plural resource name ("virtualmachineinstances").
  std::string resource{};
  /// "status", "binding", ...; empty for the object itself.
  std::string subresource{};
  /// Empty for cluster-scoped resources and cluster-wide lists.
  std::string namespace_{};
  /// Object name; empty for create, list and watch of a collection.
  std::string name{};
  /// URL path of a non-resource request.
  std::string path{};
};

/// The authorizer's answer.
enum class authz_verdict {
  allow,        ///< go on
  forbidden,    ///< 403: authenticated, but not allowed
  unauthorized, ///< 401: no (valid) credentials for something that needs them
};

/// An answer with what the HTTP layer needs for a Kubernetes Status body.
struct authz_decision {
  authz_verdict verdict = authz_verdict::allow;
  /// Status.message ("Unauthorized", "pods \"x\" is forbidden: User ..."); empty on allow.
  std::string message{};
  /// Status.details for 403 (group, kind = resource plural, name), as NewForbidden fills
  /// them; empty otherwise.
  std::string details_group{};
  std::string details_kind{};
  std::string details_name{};

  bool allowed() const { return verdict == authz_verdict::allow; }
  /// 200, 403 or 401.
  int http_status() const;
  /// Status.reason: "", "Forbidden" or "Unauthorized".
  std::string_view reason() const;
};

/// One row of the rule table.
struct policy_rule {
  /// The group the row grants to.
  std::string_view group;
  /// Allowed verbs; "*" is every verb.
  std::span<const std::string_view> verbs;
  /// True: the row allows these verbs on every resource request.
  bool all_resources = false;
  /// Non-resource paths: exact paths, "prefix*" for a prefix, "*" for all.
  std::span<const std::string_view> paths;
};

/// The rule table above, in order.
std::span<const policy_rule> policy_table();

/// Decides a request. `user` is the authenticated user, or nothing for an anonymous
/// request (user "system:anonymous", group "system:unauthenticated"). An authenticated
/// user also matches the system:authenticated rows, whether or not their groups list it.
/// Thread safety: a pure function.
authz_decision authorize(const std::optional<user_info>& user, const request_attributes& attrs);

/// The decision for a request whose token was rejected: 401 Unauthorized.
authz_decision unauthorized_decision();

/// The RBAC denial text without the "<resource> is forbidden: " prefix:
/// `User "u" cannot create resource "pods/status" in API group "" in the namespace "ns"`,
/// `... at the cluster scope`, or `User "u" cannot get path "/metrics"`. Strings are
/// quoted as Go's %q does.
std::string forbidden_reason(std::string_view user_name, const request_attributes& attrs);

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::authz_verdict> {
  using e = podvisor::kube::apiserver::authz_verdict;
  static constexpr std::array entries = {
    enum_entry{e::allow, "allow"},
    enum_entry{e::forbidden, "forbidden"},
    enum_entry{e::unauthorized, "unauthorized"},
  };
};
