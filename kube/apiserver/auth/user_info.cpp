#include "kube/apiserver/auth/user_info.hpp"

namespace podvisor::kube::apiserver {

namespace {

bool is_dns1123_label(std::string_view s) {
  if (s.empty() || s.size() > 63)
    return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : s)
    if (!alnum(c) && c != '-')
      return false;
  return alnum(s.front()) && alnum(s.back());
}

} // namespace

user_info admin_user() {
  return {std::string{user_admin}, std::string{user_admin}, {std::string{group_masters}}};
}

user_info viewer_user() {
  return {std::string{user_viewer}, std::string{user_viewer}, {std::string{group_viewers}}};
}

expected<user_info> component_user(std::string_view component) {
  if (!is_dns1123_label(component))
    return error{errc::invalid_argument,
                 "component name \"" + std::string{component} +
                   "\" must be a DNS-1123 label (lowercase letters, digits and '-')"};
  // admin.kubeconfig and viewer.kubeconfig are taken by the built-in users.
  if (component == "admin" || component == "viewer")
    return error{errc::invalid_argument,
                 "component name \"" + std::string{component} + "\" is reserved"};
  std::string name = "podvisor-" + std::string{component};
  return user_info{name, name, {std::string{group_components}}};
}

} // namespace podvisor::kube::apiserver
