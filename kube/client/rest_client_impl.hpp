#pragma once
// What rest_client.cpp (the verbs) and rest_watch.cpp (watches) share: the parsed
// configuration, the TLS material, the token and the pool of idle connections. cpp-httplib
// is only named here, never included: the connections are held through a deleter defined
// in rest_client.cpp. Internal to kube/client.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/client/rest_client.hpp"
#include "kube/client/tls.hpp"
#include "kube/client/token_source.hpp"
#include "kube/client/url.hpp"

namespace httplib {
class ClientImpl;
enum class Error;
} // namespace httplib

namespace podvisor::kube::client {

/// Deletes a cpp-httplib client (whose type is incomplete here).
struct http_client_deleter {
  void operator()(httplib::ClientImpl* c) const;
};
using http_client_ptr = std::unique_ptr<httplib::ClientImpl, http_client_deleter>;

/// The status and body of an answered request.
struct http_answer {
  int status = 0;
  std::string body;
};

struct rest_client::impl {
  /// Idle connections kept for reuse; more are closed when returned.
  static constexpr std::size_t max_idle = 4;

  client_config config;
  server_address address;
  std::shared_ptr<const tls_material> tls; ///< null for plain http
  std::unique_ptr<token_source> tokens;

  std::mutex pool_mu;
  std::vector<http_client_ptr> idle; ///< guarded by pool_mu

  /// A new, unconnected client whose reads time out after `read_timeout`.
  expected<http_client_ptr> make_client(std::chrono::milliseconds read_timeout) const;
  /// An idle pooled client or a new one; `reused` tells whether its connection is
  /// already open (and so may have been closed by the server meanwhile).
  expected<http_client_ptr> take(bool& reused);
  /// Returns a client after a successful exchange.
  void give_back(http_client_ptr c);

  /// The headers every request carries: Authorization (when there is a token),
  /// User-Agent, Accept, and Host for IPv6 servers.
  std::vector<std::pair<std::string, std::string>> base_headers(const std::string& token) const;
  /// The path to send: the server URL's path prefix + `target`.
  std::string full_target(std::string_view target) const { return address.base_path + std::string(target); }

  /// A request that got no HTTP answer, as an error (unavailable, timeout, cancelled);
  /// `elapsed` tells a read timeout from a broken connection; `fresh_connection` (the
  /// request was the connection's first) adds a hint about TLS client certificates.
  error transport_error(httplib::Error e, std::chrono::steady_clock::duration elapsed,
                        std::chrono::milliseconds read_timeout, bool fresh_connection) const;

  /// Sends one request through the pool. Retries once with a new connection when a GET
  /// on a reused keep-alive connection failed before any answer (the server closed it),
  /// and once after a 401 when the token file held a newer token.
  expected<http_answer> send(std::string_view method, std::string_view target, const std::string* body,
                             std::string_view content_type);
};

} // namespace podvisor::kube::client
