#include "introspect/routes.hpp"

namespace podvisor::introspect {

namespace {

route bad(std::string problem) {
  route r;
  r.what = route::kind::bad_request;
  r.problem = std::move(problem);
  return r;
}

} // namespace

bool is_dns1123_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-')
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  return true;
}

bool is_dns1123_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253)
    return false;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    if (!is_dns1123_label(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start)))
      return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

/// /v1/supervisors/{namespace}/{name}/console?tail=KIB&follow=BOOL.
route parse_console(std::string_view ns, std::string_view name,
                    const std::multimap<std::string, std::string>& query) {
  route r;
  for (const auto& [key, value] : query) {
    if (query.count(key) > 1)
      return bad(key + " given more than once");
    if (key == "follow") {
      if (value == "true" || value == "1")
        r.follow = true;
      else if (value != "false" && value != "0")
        return bad("follow must be true or false, not \"" + value.substr(0, 80) + "\"");
    } else if (key == "tail") {
      std::size_t kib = 0;
      bool digits = !value.empty() && value.size() <= 4;
      for (char c : value) {
        digits = digits && c >= '0' && c <= '9';
        kib = kib * 10 + static_cast<std::size_t>(c - '0');
      }
      if (!digits || kib < 1 || kib > 1024)
        return bad("tail must be a number of KiB from 1 to 1024, not \"" + value.substr(0, 80) + "\"");
      r.tail_kib = kib;
    } else {
      return bad("unknown query parameter \"" + key + "\"");
    }
  }
  r.what = route::kind::console;
  r.namespace_ = std::string(ns);
  r.name = std::string(name);
  return r;
}

route parse_route(std::string_view path, const std::multimap<std::string, std::string>& query) {
  constexpr std::string_view console_suffix = "/console";
  constexpr std::string_view console_prefix = "/v1/supervisors/";
  if (path.starts_with(console_prefix) && path.ends_with(console_suffix)) {
    auto rest = path.substr(console_prefix.size(), path.size() - console_prefix.size() - console_suffix.size());
    auto slash = rest.find('/');
    if (slash != std::string_view::npos && rest.find('/', slash + 1) == std::string_view::npos && slash > 0
        && slash + 1 < rest.size()) {
      auto ns = rest.substr(0, slash);
      auto name = rest.substr(slash + 1);
      if (!is_dns1123_label(ns))
        return bad("invalid namespace \"" + std::string(ns.substr(0, 80)) + "\": must be a DNS-1123 label");
      if (!is_dns1123_subdomain(name))
        return bad("invalid name \"" + std::string(name.substr(0, 80)) + "\": must be a DNS-1123 subdomain");
      return parse_console(ns, name, query);
    }
  }
  bool watch = false;
  for (const auto& [key, value] : query) {
    if (key != "watch")
      return bad("unknown query parameter \"" + key + "\"");
    if (value == "true" || value == "1")
      watch = true;
    else if (value != "false" && value != "0")
      return bad("watch must be true or false, not \"" + value + "\"");
  }
  if (query.count("watch") > 1)
    return bad("watch given more than once");

  route r;
  if (path == "/healthz" || path == "/metrics" || path == "/v1/supervisors") {
    if (watch)
      return bad("watch=true needs one supervisor: /v1/supervisors/{namespace}/{name}");
    r.what = path == "/healthz" ? route::kind::health : path == "/metrics" ? route::kind::metrics : route::kind::list;
    return r;
  }
  constexpr std::string_view prefix = "/v1/supervisors/";
  if (path.substr(0, prefix.size()) != prefix)
    return r; // not_found
  auto rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || rest.find('/', slash + 1) != std::string_view::npos)
    return r; // not_found: /v1/supervisors/ns, /v1/supervisors/ns/name/x, trailing slashes
  auto ns = rest.substr(0, slash);
  auto name = rest.substr(slash + 1);
  if (ns.empty() || name.empty())
    return r; // not_found: /v1/supervisors//x, /v1/supervisors/ns/
  if (!is_dns1123_label(ns))
    return bad("invalid namespace \"" + std::string(ns.substr(0, 80)) + "\": must be a DNS-1123 label");
  if (!is_dns1123_subdomain(name))
    return bad("invalid name \"" + std::string(name.substr(0, 80)) + "\": must be a DNS-1123 subdomain");
  r.what = watch ? route::kind::watch : route::kind::one;
  r.namespace_ = std::string(ns);
  r.name = std::string(name);
  return r;
}

} // namespace podvisor::introspect
