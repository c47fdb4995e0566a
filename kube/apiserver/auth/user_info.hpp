#pragma once
// Who a request comes from, as Kubernetes' authenticators describe it (k8s.io/apiserver
// user.Info): a name, an opaque uid and a list of groups. Also the names of the users and
// groups the embedded API server creates at first start, so that the token file, the
// kubeconfig writer and the authorizer's rule table all spell them the same way.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::apiserver {

/// An authenticated user.
struct user_info {
  /// The user name ("podvisor-admin"); what forbidden messages print.
  std::string name;
  /// An opaque, stable id (the token file's third column); may be empty.
  std::string uid;
  /// Groups in the order the credential listed them; the authorizer grants by group.
  std::vector<std::string> groups;

  friend bool operator==(const user_info&, const user_info&) = default;
};

/// Kubernetes' superuser group: every verb on every resource and path.
inline constexpr std::string_view group_masters = "system:masters";
/// Every authenticated user (added by the authenticator, as kube-apiserver does).
inline constexpr std::string_view group_authenticated = "system:authenticated";
/// The group kube-apiserver gives anonymous requests.
inline constexpr std::string_view group_unauthenticated = "system:unauthenticated";
/// Read-only users: get, list and watch everything.
inline constexpr std::string_view group_viewers = "podvisor:viewers";
/// Podvisor's own components (controller, scheduler, node agents): everything for now.
inline constexpr std::string_view group_components = "podvisor:components";

/// The user name kube-apiserver gives anonymous requests.
inline constexpr std::string_view user_anonymous = "system:anonymous";
/// The administrator created at first start (group system:masters).
inline constexpr std::string_view user_admin = "podvisor-admin";
/// The read-only user created at first start (group podvisor:viewers).
inline constexpr std::string_view user_viewer = "podvisor-viewer";

/// The administrator: `podvisor-admin` in `system:masters`.
user_info admin_user();

/// The read-only user: `podvisor-viewer` in `podvisor:viewers`.
user_info viewer_user();

/// The user of component `component` ("controller", "node-node01"): named
/// `podvisor-<component>`, in `podvisor:components`. The component name becomes part of
/// a file name (`<component>.kubeconfig`) and of a user name, so it must be a DNS-1123
/// label (lowercase letters, digits and '-', at most 63 characters) and must not be
/// "admin" or "viewer"; anything else is `invalid_argument`.
expected<user_info> component_user(std::string_view component);

} // namespace podvisor::kube::apiserver
