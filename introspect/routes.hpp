#pragma once
// The introspection server's URL space, as a pure function from path and query to a
// route, so that every shape of request is unit tested without a socket:
//
//   /healthz                                       health
//   /metrics                                       metrics
//   /v1/supervisors                                list
//   /v1/supervisors/{namespace}/{name}             one
//   /v1/supervisors/{namespace}/{name}?watch=true  watch (also watch=1; false/0: one)
//   /v1/supervisors/{namespace}/{name}/console     console: the serial log's last
//        ?tail=KIB (1-1024, default 64) KiB, and with ?follow=true (1; false/0) the bytes
//        appended afterwards
//
// A trailing slash is not the same path (404, as kube-apiserver does). Namespaces must be
// DNS-1123 labels and names DNS-1123 subdomains (400 otherwise, so that nothing odd ever
// reaches the provider); an unknown query parameter or a watch value other than
// true/false/1/0 is 400.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace podvisor::introspect {

/// What a request asks for.
struct route {
  enum class kind { health, metrics, list, one, watch, console, not_found, bad_request } what = kind::not_found;
  std::string namespace_;
  std::string name;
  /// For console: how many KiB of the log's end, and whether to follow it.
  std::size_t tail_kib = 64;
  bool follow = false;
  /// For bad_request: why, for the answer's message.
  std::string problem;
};

/// The route of GET `path` (percent-decoded) with query parameters `query`.
route parse_route(std::string_view path, const std::multimap<std::string, std::string>& query);

/// DNS-1123 label: at most 63 of [a-z0-9-], alphanumeric at both ends.
bool is_dns1123_label(std::string_view s);
/// DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels.
bool is_dns1123_subdomain(std::string_view s);

} // namespace podvisor::introspect
