#pragma once
// URL pieces the REST client builds and reads: percent-encoding of path segments and
// query values, query strings, and the parts of a kubeconfig's `server` URL.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::client {

/// Percent-encodes every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~),
/// so that the result is safe as a path segment and as a query key or value ("a b,c" →
/// "a%20b%2Cc"; "+" becomes "%2B", which servers would otherwise read as a space).
std::string percent_encode(std::string_view s);

/// Builds "?k=v&k2=v2" with keys and values percent-encoded, in the order added.
class query_builder {
public:
  /// Adds `key`=`value` (also when `value` is empty).
  query_builder& add(std::string_view key, std::string_view value);
  /// Adds `key`=`value` only when `value` is not empty.
  query_builder& add_if(std::string_view key, std::string_view value);
  /// "" when nothing was added, else "?..." .
  std::string str() const;

private:
  std::vector<std::pair<std::string, std::string>> params_;
};

/// A parsed server URL.
struct server_address {
  std::string scheme; ///< "https" or "http"
  std::string host;   ///< without brackets: "::1", "10.0.0.1", "api.example.com"
  int port = 0;       ///< 443 / 80 when the URL has none
  std::string base_path; ///< a path prefix ("/k8s/clusters/c-1"), without a trailing "/"

  /// "host:port" for the Host header, an IPv6 host in brackets.
  std::string host_port() const;
  /// "https://host:port" (IPv6 in brackets), for messages.
  std::string origin() const;
};

/// Parses "https://host[:port][/prefix]" (an IPv6 host in brackets). invalid_argument
/// naming what is wrong: another scheme, user info, a query, a bad port, an IPv6 address
/// without brackets.
expected<server_address> parse_server_url(std::string_view url);

} // namespace podvisor::kube::client
