#include "kube/apiserver/resources/discovery.hpp"

#include <algorithm>
#include <tuple>

namespace podvisor::kube::apiserver {

namespace {

json verb_names(const std::vector<verb>& verbs) {
  json out = json::array();
  for (auto v : verbs)
    out.push_back(std::string(api::to_string(v)));
  return out;
}

// Kubernetes' version priority: GA before beta before alpha, higher numbers first, and
// versions that do not look like Kubernetes versions last, alphabetically.
std::tuple<int, long, long, std::string> version_rank(const std::string& v) {
  auto digits = [&](std::size_t& i) {
    long n = 0;
    std::size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9' && i - start < 9)
      n = n * 10 + (v[i++] - '0');
    return i == start ? -1L : n;
  };
  std::size_t i = 1;
  long major = v.size() > 1 && v[0] == 'v' ? digits(i) : -1;
  if (major < 0)
    return {3, 0, 0, v};
  if (i == v.size())
    return {0, -major, 0, v};
  for (auto [word, level] : {std::pair{"beta", 1}, std::pair{"alpha", 2}}) {
    std::string_view w{word};
    if (v.compare(i, w.size(), w) == 0) {
      std::size_t j = i + w.size();
      long minor = digits(j);
      if (minor >= 0 && j == v.size())
        return {level, -major, -minor, v};
    }
  }
  return {3, 0, 0, v};
}

// The versions of a group in priority order (the first is the preferred one).
std::vector<std::string> versions_of(const registry_snapshot& snapshot, const std::string& group) {
  std::vector<std::string> out;
  for (const auto& gv : snapshot.group_versions())
    if (gv.group == group)
      out.push_back(gv.version);
  std::stable_sort(out.begin(), out.end(),
                   [](const std::string& a, const std::string& b) { return version_rank(a) < version_rank(b); });
  return out;
}

std::vector<std::string> groups_of(const registry_snapshot& snapshot, bool core) {
  std::vector<std::string> out;
  for (const auto& gv : snapshot.group_versions())
    if (gv.group.empty() == core && std::find(out.begin(), out.end(), gv.group) == out.end())
      out.push_back(gv.group);
  return out;
}

std::vector<std::shared_ptr<const resource_entry>> sorted(std::vector<std::shared_ptr<const resource_entry>> entries) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a->plural < b->plural; });
  return entries;
}

json gvk(const std::string& group, const std::string& version, const std::string& kind) {
  return {{"group", group}, {"version", version}, {"kind", kind}};
}

json aggregated_resource(const resource_entry& e) {
  json r = {{"resource", e.plural},
            {"responseKind", gvk(e.group, e.version, e.kind)},
            {"scope", e.namespaced ? "Namespaced" : "Cluster"},
            {"singularResource", e.singular},
            {"verbs", verb_names(e.verbs)}};
  if (!e.short_names.empty())
    r["shortNames"] = e.short_names;
  if (!e.categories.empty())
    r["categories"] = e.categories;
  if (!e.subresources.empty()) {
    json subs = json::array();
    for (const auto& s : e.subresources)
      subs.push_back({{"subresource", s.name},
                      {"responseKind", gvk(s.group, s.version, s.kind)},
                      {"verbs", verb_names(s.verbs)}});
    r["subresources"] = std::move(subs);
  }
  return r;
}

std::string platform_default() {
#if defined(__x86_64__)
  return "linux/amd64";
#elif defined(__aarch64__)
  return "linux/arm64";
#elif defined(__s390x__)
  return "linux/s390x";
#else
  return "linux/unknown";
#endif
}

} // namespace

json api_versions(std::string_view server_address) {
  return {{"kind", "APIVersions"},
          {"versions", json::array({"v1"})},
          {"serverAddressByClientCIDRs",
           json::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", std::string(server_address)}}})}};
}

json api_group_list(const registry_snapshot& snapshot) {
  json groups = json::array();
  for (const auto& group : groups_of(snapshot, false)) {
    json versions = json::array();
    for (const auto& v : versions_of(snapshot, group))
      versions.push_back({{"groupVersion", group + "/" + v}, {"version", v}});
    json preferred = versions.front();
    groups.push_back({{"name", group}, {"versions", std::move(versions)}, {"preferredVersion", std::move(preferred)}});
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(groups)}};
}

std::optional<json> api_resource_list(const registry_snapshot& snapshot, std::string_view group,
                                      std::string_view version) {
  auto entries = snapshot.in(group, version);
  if (entries.empty())
    return std::nullopt;
  json resources = json::array();
  for (const auto& e : sorted(std::move(entries))) {
    json r = {{"name", e->plural},
              {"singularName", e->singular},
              {"namespaced", e->namespaced},
              {"kind", e->kind},
              {"verbs", verb_names(e->verbs)}};
    if (!e->short_names.empty())
      r["shortNames"] = e->short_names;
    if (!e->categories.empty())
      r["categories"] = e->categories;
    resources.push_back(std::move(r));
    for (const auto& s : e->subresources) {
      json sub = {{"name", e->plural + "/" + s.name},
                  {"singularName", ""},
                  {"namespaced", e->namespaced},
                  {"kind", s.kind},
                  {"verbs", verb_names(s.verbs)}};
      if (s.group != e->group || s.version != e->version) {
        sub["group"] = s.group;
        sub["version"] = s.version;
      }
      resources.push_back(std::move(sub));
    }
  }
  group_version gv{std::string(group), std::string(version)};
  return json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", gv.str()},
              {"resources", std::move(resources)}};
}

json aggregated_discovery(const registry_snapshot& snapshot, bool core) {
  json items = json::array();
  for (const auto& group : groups_of(snapshot, core)) {
    json versions = json::array();
    for (const auto& v : versions_of(snapshot, group)) {
      json resources = json::array();
      for (const auto& e : sorted(snapshot.in(group, v)))
        resources.push_back(aggregated_resource(*e));
      versions.push_back({{"version", v}, {"resources", std::move(resources)}, {"freshness", "Current"}});
    }
    items.push_back({{"metadata", {{"name", group}}}, {"versions", std::move(versions)}});
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", "apidiscovery.k8s.io/v2"},
          {"metadata", json::object()},
          {"items", std::move(items)}};
}

json version_info(const server_version& v) {
#if defined(__clang__)
  const char* compiler = "clang";
#else
  const char* compiler = "gcc";
#endif
  return {{"major", v.major},
          {"minor", v.minor},
          {"gitVersion", v.git_version},
          {"gitCommit", v.git_commit},
          {"gitTreeState", "clean"},
          {"buildDate", v.build_date},
          // Not a Go program: the field is kept because clients print it, but says so.
          {"goVersion", "none"},
          {"compiler", compiler},
          {"platform", v.platform.empty() ? platform_default() : v.platform}};
}

} // namespace podvisor::kube::apiserver
