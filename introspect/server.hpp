#pragma once
// The node agent's introspection endpoint: HTTPS only, one bearer token, read-only.
//
//   GET /healthz                                   "ok" (text/plain)
//   GET /metrics                                   Prometheus text (prometheus_text.hpp)
//   GET /v1/supervisors                            {"items": [snapshot, ...]}
//   GET /v1/supervisors/{namespace}/{name}         snapshot (provider.hpp has the schema)
//   GET /v1/supervisors/{namespace}/{name}?watch=true
//        newline-delimited JSON (application/x-ndjson, chunked): the current snapshot,
//        then one per change as the provider pushes it; an empty line is a heartbeat sent
//        after 15 s of silence (so that both sides notice a dead peer); the stream ends
//        when the supervisor is gone or the server stops.
//   GET /v1/supervisors/{namespace}/{name}/console[?tail=KIB][&follow=true]
//        the serial console log (text/plain): its last KIB KiB (default 64), and with
//        follow the bytes appended afterwards (chunked, counted as a stream) until the
//        log goes away or the server stops; 503 while there is no log yet.
//
// Every route requires "Authorization: Bearer <token>", /healthz included: nothing
// listens on a network address without authentication (KubeVirt serves an unauthenticated
// healthz on a separate port; we do not have one). Answers: 401 (with WWW-Authenticate)
// without or with a wrong token, 405 for any method but GET (after authentication, so an
// anonymous caller learns nothing), 404 for unknown paths and supervisors, 400 for a bad
// namespace/name/query or a GET with a body, 429 when `max_streams` watches are open,
// errors as {"code": N, "message": "..."}.
//
// HTTP parsing and TLS are cpp-httplib's SSLServer, the same as the API server's front
// (kube/apiserver/server/http_server.cpp), so no request parser of our own exists to fuzz.
// Bounds: `max_connections` connections are served at once (one worker thread each, a
// watch holds its worker), `max_pending` more wait for a worker; connections beyond
// those are refused at the TLS handshake by one overflow thread. cpp-httplib limits the
// request line and each header line to 8 KiB (414 / 400 beyond). Read, write and
// keep-alive timeouts bound every connection. The token, certificate and key are read
// once, at start (rotating them means restarting the server).
//
// Wiring in the node agent (cmd/podvisor-agent), with its flags
//   --introspection-listen ADDR:PORT   (off when not given)
//   --introspection-cert FILE --introspection-key FILE   (serving_cert.hpp issues them)
//   --introspection-token-file FILE
// is, in short:
//
//   my_provider provider{...};               // implements introspection_provider
//   introspection_server server{provider, {.host = addr, .port = port, .cert_file = cert,
//                                          .key_file = key, .token_file = token}};
//   if (auto e = server.start()) { log and exit 1 }
//   ... patch the Node with endpoint_annotation_patch(endpoint_url(node_ip, port))
//   server.stop();                           // before the actor system goes down

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "introspect/provider.hpp"

namespace podvisor::introspect {

/// Where and how to listen. The node agent's flags map onto it:
/// --introspection-listen ADDR:PORT, --introspection-cert FILE, --introspection-key FILE,
/// --introspection-token-file FILE.
struct server_options {
  std::string host = "127.0.0.1";
  int port = 8443; ///< 0 picks a free port (tests)
  std::filesystem::path cert_file; ///< PEM serving certificate (chain: leaf first)
  std::filesystem::path key_file;  ///< its PEM private key
  std::filesystem::path token_file; ///< the bearer token (bearer_token.hpp)
  std::size_t max_connections = 16;
  std::size_t max_pending = 32;
  /// Open watch streams; kept below max_connections so that short requests always find
  /// a worker.
  std::size_t max_streams = 8;
  /// Snapshots queued for one slow stream; beyond it the oldest are dropped (each
  /// snapshot is complete, the timeline included, so the reader loses detail, not state).
  std::size_t stream_queue = 64;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  std::chrono::seconds keep_alive_timeout{5};
  std::chrono::seconds heartbeat_interval{15};
};

/// A running introspection endpoint.
/// Thread safety: `start` once; `stop` from any thread (idempotent); the provider is
/// called from the server's worker threads concurrently.
class introspection_server {
public:
  introspection_server(introspection_provider& provider, server_options options);
  ~introspection_server();
  introspection_server(const introspection_server&) = delete;
  introspection_server& operator=(const introspection_server&) = delete;

  /// Loads the token, certificate and key, binds and serves on background threads.
  /// invalid_argument for bad options or an unusable certificate/key/token (the message
  /// names the file), unavailable when the address cannot be bound.
  error start();
  /// The bound port (after `start`).
  int port() const;
  /// Ends open streams, stops accepting, closes idle connections and joins every thread.
  /// Returns within about a second, even with streams open (a blocked write to a client
  /// that stopped reading is bounded by write_timeout).
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace podvisor::introspect
