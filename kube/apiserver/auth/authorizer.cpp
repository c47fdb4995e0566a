#include "kube/apiserver/auth/authorizer.hpp"

#include <algorithm>
#include <cstdio>

namespace podvisor::kube::apiserver {

namespace {

constexpr std::array<std::string_view, 1> any_verb = {"*"};
constexpr std::array<std::string_view, 3> read_verbs = {"get", "list", "watch"};
constexpr std::array<std::string_view, 1> get_verb = {"get"};
constexpr std::array<std::string_view, 1> any_path = {"*"};
constexpr std::array<std::string_view, 0> no_paths = {};
// Kubernetes' system:discovery and system:public-info-viewer cluster roles.
constexpr std::array<std::string_view, 11> discovery_paths = {
  "/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*",
  "/version", "/version/", "/healthz", "/livez", "/readyz"};
constexpr std::array<std::string_view, 5> public_paths = {"/healthz", "/livez", "/readyz",
                                                          "/version", "/version/"};

constexpr std::array<policy_rule, 5> table = {{
  {group_masters, any_verb, true, any_path},
  {group_components, any_verb, true, any_path},
  {group_viewers, read_verbs, true, any_path},
  {group_authenticated, get_verb, false, discovery_paths},
  {group_unauthenticated, get_verb, false, public_paths},
}};

bool verb_matches(const policy_rule& rule, std::string_view verb) {
  return std::any_of(rule.verbs.begin(), rule.verbs.end(),
                     [&](std::string_view v) { return v == "*" || v == verb; });
}

/// RBAC's NonResourceURLMatches: exact, or a trailing '*' matching any suffix.
bool path_matches(const policy_rule& rule, std::string_view path) {
  return std::any_of(rule.paths.begin(), rule.paths.end(), [&](std::string_view p) {
    if (!p.empty() && p.back() == '*')
      return path.substr(0, p.size() - 1) == p.substr(0, p.size() - 1);
    return p == path;
  });
}

bool rule_allows(const policy_rule& rule, const request_attributes& attrs) {
  if (!verb_matches(rule, attrs.verb))
    return false;
  return attrs.resource_request ? rule.all_resources : path_matches(rule, attrs.path);
}

bool allowed_for_group(std::string_view group, const request_attributes& attrs) {
  return std::any_of(table.begin(), table.end(), [&](const policy_rule& rule) {
    return rule.group == group && rule_allows(rule, attrs);
  });
}

/// Go's strconv.Quote for the characters that occur in names and paths: quotes,
/// backslashes and control characters escaped, everything else (UTF-8 included) as is.
std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

} // namespace

int authz_decision::http_status() const {
  switch (verdict) {
    case authz_verdict::allow: return 200;
    case authz_verdict::forbidden: return 403;
    case authz_verdict::unauthorized: return 401;
  }
  return 500;
}

std::string_view authz_decision::reason() const {
  switch (verdict) {
    case authz_verdict::allow: return "";
    case authz_verdict::forbidden: return "Forbidden";
    case authz_verdict::unauthorized: return "Unauthorized";
  }
  return "";
}

std::span<const policy_rule> policy_table() {
  return table;
}

authz_decision unauthorized_decision() {
  return {authz_verdict::unauthorized, "Unauthorized", {}, {}, {}};
}

std::string forbidden_reason(std::string_view user_name, const request_attributes& attrs) {
  std::string out = "User " + go_quote(user_name) + " cannot " + attrs.verb;
  if (!attrs.resource_request)
    return out + " path " + go_quote(attrs.path);
  std::string resource = attrs.resource;
  if (!attrs.subresource.empty())
    resource += "/" + attrs.subresource;
  out += " resource " + go_quote(resource) + " in API group " + go_quote(attrs.api_group);
  if (!attrs.namespace_.empty())
    return out + " in the namespace " + go_quote(attrs.namespace_);
  return out + " at the cluster scope";
}

authz_decision authorize(const std::optional<user_info>& user, const request_attributes& attrs) {
  if (!user) {
    if (allowed_for_group(group_unauthenticated, attrs))
      return {};
    return unauthorized_decision();
  }
  bool allowed = allowed_for_group(group_authenticated, attrs) ||
                 std::any_of(user->groups.begin(), user->groups.end(), [&](const std::string& g) {
                   return allowed_for_group(g, attrs);
                 });
  if (allowed)
    return {};

  // apierrors.NewForbidden(GroupResource{group, resource}, name, reason).
  authz_decision d;
  d.verdict = authz_verdict::forbidden;
  auto reason = forbidden_reason(user->name, attrs);
  if (!attrs.resource_request || attrs.resource.empty()) {
    d.message = "forbidden: " + reason;
    return d;
  }
  std::string qualified = attrs.resource;
  if (!attrs.api_group.empty())
    qualified += "." + attrs.api_group;
  d.message = attrs.name.empty()
                  ? qualified + " is forbidden: " + reason
                  : qualified + " " + go_quote(attrs.name) + " is forbidden: " + reason;
  d.details_group = attrs.api_group;
  d.details_kind = attrs.resource;
  d.details_name = attrs.name;
  return d;
}

} // namespace podvisor::kube::apiserver
