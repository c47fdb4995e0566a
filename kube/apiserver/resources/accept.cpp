#include "kube/apiserver/resources/accept.hpp"

#include <algorithm>
#include <cctype>

namespace podvisor::kube::apiserver {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Splits on `sep` outside double quotes.
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"')
      quoted = !quoted;
    else if (s[i] == sep && !quoted) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

double parse_q(std::string_view v) {
  // q is 0..1 with up to three decimals; anything unparsable counts as 1 (be lenient).
  if (v == "0" || v.starts_with("0.")) {
    double value = 0;
    double scale = 0.1;
    for (char c : v.substr(v.size() > 1 ? 2 : 1)) {
      if (c < '0' || c > '9')
        return 1.0;
      value += (c - '0') * scale;
      scale /= 10;
    }
    return value;
  }
  return 1.0;
}

bool is_json(const media_range& r) {
  return (r.type == "application" && r.subtype == "json") || (r.type == "application" && r.subtype == "*")
         || (r.type == "*" && r.subtype == "*");
}

std::string param(const media_range& r, const char* name) {
  auto it = r.params.find(name);
  return it == r.params.end() ? std::string() : it->second;
}

} // namespace

std::vector<media_range> parse_accept(std::string_view header) {
  std::vector<media_range> out;
  for (auto part : split(header, ',')) {
    auto fields = split(part, ';');
    auto type = trim(fields[0]);
    auto slash = type.find('/');
    if (type.empty() || slash == std::string_view::npos || slash == 0 || slash + 1 == type.size())
      continue;
    media_range r;
    r.type = lower(type.substr(0, slash));
    r.subtype = lower(type.substr(slash + 1));
    for (std::size_t i = 1; i < fields.size(); ++i) {
      auto p = trim(fields[i]);
      auto eq = p.find('=');
      if (eq == std::string_view::npos)
        continue;
      auto name = lower(trim(p.substr(0, eq)));
      auto value = trim(p.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      if (name == "q")
        r.q = parse_q(value);
      else
        r.params[name] = std::string(value);
    }
    if (r.q > 0)
      out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const media_range& a, const media_range& b) { return a.q > b.q; });
  return out;
}

discovery_format negotiate_discovery(std::string_view accept) {
  for (const auto& r : parse_accept(accept)) {
    if (!is_json(r))
      continue; // protobuf and others: not served here
    auto as = param(r, "as");
    if (as.empty())
      return {}; // plain JSON: legacy
    if (as == "APIGroupDiscoveryList" && param(r, "g") == "apidiscovery.k8s.io" && param(r, "v") == "v2")
      return {true, std::string(aggregated_discovery_content_type)};
    // Other versions (v2beta1) or other kinds: not served; look further.
  }
  return {};
}

table_format negotiate_table(std::string_view accept) {
  for (const auto& r : parse_accept(accept)) {
    if (!is_json(r))
      continue;
    auto as = param(r, "as");
    if (as.empty())
      return {};
    auto v = param(r, "v");
    if (as == "Table" && param(r, "g") == "meta.k8s.io" && (v == "v1" || v == "v1beta1"))
      return {true, "meta.k8s.io/" + v, "application/json;as=Table;v=" + v + ";g=meta.k8s.io"};
  }
  return {};
}

} // namespace podvisor::kube::apiserver
