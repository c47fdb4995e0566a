#include "kube/apiserver/server/request_path.hpp"

#include <vector>

namespace podvisor::kube::apiserver {

namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos)
      end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool valid_segment(std::string_view s) {
  if (s.empty() || s == "." || s == "..")
    return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f)
      return false;
  return true;
}

} // namespace

std::optional<request_path> parse_request_path(std::string_view path, path_error& error,
                                               bool& is_api_path) {
  is_api_path = false;
  if (path.empty() || path.front() != '/')
    return std::nullopt;
  auto parts = split(path.substr(1));
  // A trailing slash ("/api/v1/") is tolerated, as kube-apiserver does.
  if (parts.size() > 1 && parts.back().empty())
    parts.pop_back();
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis"))
    return std::nullopt;
  is_api_path = true;
  for (auto p : parts)
    if (!valid_segment(p)) {
      error = {404, "the server could not find the requested resource"};
      return std::nullopt;
    }

  request_path out;
  std::size_t i = 1;
  if (parts[0] == "api") {
    if (parts.size() == 1) {
      out.discovery = "api";
      return out;
    }
    out.version = std::string(parts[1]);
    i = 2;
  } else {
    if (parts.size() == 1) {
      out.discovery = "apis";
      return out;
    }
    out.group = std::string(parts[1]);
    if (parts.size() == 2) {
      out.discovery = "group";
      return out;
    }
    out.version = std::string(parts[2]);
    i = 3;
  }
  if (parts.size() == i) {
    out.discovery = "version";
    return out;
  }
  out.is_resource = true;
  auto rest = std::vector<std::string_view>(parts.begin() + static_cast<std::ptrdiff_t>(i), parts.end());
  // namespaces/{ns}/{resource}[/{name}[/{sub}]] addresses namespaced objects; a bare
  // namespaces/{name}[/{sub}] addresses the Namespace object itself.
  if (rest[0] == "namespaces" && rest.size() >= 3 && rest[2] != "status" && rest[2] != "finalize") {
    out.namespace_ = std::string(rest[1]);
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.size() > 3) {
    error = {404, "the server could not find the requested resource"};
    return std::nullopt;
  }
  out.resource = std::string(rest[0]);
  if (rest.size() >= 2)
    out.name = std::string(rest[1]);
  if (rest.size() == 3)
    out.subresource = std::string(rest[2]);
  return out;
}

} // namespace podvisor::kube::apiserver
