#pragma once
// The HTTPS front of the API server: cpp-httplib's SSLServer, sized for long-lived
// watches, turning each HTTP request into an `api_request` for the api_handler and
// streaming watch sessions with chunked encoding. The only file that includes httplib.

#include <memory>
#include <string>

#include "kube/apiserver/server/api_handler.hpp"

namespace podvisor::kube::apiserver {

/// Listening settings.
struct http_options {
  std::string host = "127.0.0.1";
  int port = 6443; ///< 0 picks a free port
  std::string cert_file;
  std::string key_file;
  /// Worker threads. Every open watch holds one for its whole life (cpp-httplib serves a
  /// connection on one thread), so this bounds concurrent watches plus requests.
  std::size_t threads = 256;
  /// Threads never given to watches: a watch beyond `threads - reserved_threads` open
  /// ones gets 429 TooManyRequests (clients retry) instead of starving short requests.
  std::size_t reserved_threads = 64;
};

/// A running HTTPS listener.
/// Thread safety: `start` once, then `stop` from any thread (signal-safe via a flag in the
/// caller is recommended; stop itself is thread-safe).
class http_server {
public:
  http_server(api_handler& handler, http_options options);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds (port 0 picks one) and starts serving on a background thread. False with a
  /// reason when the certificate cannot be loaded or the address cannot be bound.
  bool start(std::string& error);
  /// The bound port (after `start`).
  int port() const { return port_; }
  /// Stops accepting, ends open watches and joins the serving thread. Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  int port_ = 0;
};

} // namespace podvisor::kube::apiserver
