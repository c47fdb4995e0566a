#pragma once
// The whole embedded API server in one object: security material and kubeconfigs in the
// data directory, the SQLite store, the resource registry, the request handler with its
// garbage collector, and the HTTPS listener. `podvisor-apiserver` runs one; `podvisor up`
// and the tests embed one.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace podvisor::kube::apiserver {

/// How to start the server.
struct embedded_server_options {
  /// Holds store.db, pki/, tokens.csv and the kubeconfigs (created if missing).
  std::filesystem::path data_dir;
  std::string host = "127.0.0.1";
  /// 0 picks a free port.
  int port = 6443;
  /// Components that get a token and DIR/<component>.kubeconfig (group
  /// podvisor:components). The defaults are the Podvisor components that talk to the
  /// server on one machine.
  std::vector<std::string> components{"controller", "scheduler", "agent"};
  /// Extra IP addresses for the serving certificate (simulated nodes reach the server
  /// at a bridge address).
  std::vector<std::string> extra_ips;
  /// Events kept for watch resumption.
  std::size_t history_size = 10'000;
  /// HTTP worker threads (each open watch holds one; 64 are kept for other requests, so
  /// at most threads − 64 watches are open at once and more get 429 TooManyRequests).
  std::size_t threads = 256;
};

/// A running server. Stops (and removes nothing: the data directory is the user's) when
/// destroyed.
class embedded_server {
public:
  /// Starts everything; an error says which step failed and why.
  static expected<std::unique_ptr<embedded_server>> start(const embedded_server_options& options);
  ~embedded_server();
  embedded_server(const embedded_server&) = delete;
  embedded_server& operator=(const embedded_server&) = delete;

  /// "https://127.0.0.1:PORT".
  std::string url() const;
  int port() const;
  /// DIR/admin.kubeconfig.
  std::filesystem::path admin_kubeconfig() const;
  /// DIR/<name>.kubeconfig for a component given at start, or the viewer ("viewer").
  std::filesystem::path kubeconfig(std::string_view name) const;
  /// DIR/pki/ca.crt.
  std::filesystem::path ca_file() const;
  /// Stops serving; idempotent.
  void stop();

  /// Sends one request through the full API path as the administrator (no network):
  /// what `podvisor up` uses to apply manifests. Returns the HTTP status and body.
  std::pair<int, std::string> request(std::string_view method, std::string_view path, std::string body = {});

  /// Creates `object` (any served kind; namespaced objects default to "default"), or
  /// merges it into the existing one, as `kubectl apply` would. Returns "created",
  /// "configured" or "unchanged", or the server's error message.
  expected<std::string> apply(const nlohmann::json& object);

private:
  struct impl;
  explicit embedded_server(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

} // namespace podvisor::kube::apiserver
