#pragma once
// Where a component finds its API server and credentials, as client-go's clientcmd and
// rest.InClusterConfig do: a kubeconfig file (its current context, or a named one), or
// the service-account files a pod gets on a real cluster. Nothing here depends on
// Podvisor's embedded server.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace podvisor::kube::client {

/// Everything needed to talk to one API server.
struct client_config {
  /// "https://host:port" (an IPv6 host in brackets). Plain http is refused unless
  /// `allow_insecure_http` (tests of the client against a bare listener only).
  std::string server{};
  /// PEM of the CA bundle that must have signed the server's certificate; empty → the
  /// system trust store.
  std::string ca_pem{};
  /// Skip server verification (kubeconfig insecure-skip-tls-verify); never the default.
  bool insecure_skip_tls_verify = false;
  /// A static bearer token.
  std::string token{};
  /// A token file re-read when it changes (service-account tokens rotate); takes
  /// precedence over `token`.
  std::filesystem::path token_file{};
  /// Client certificate and key (PEM), used when both are set.
  std::string client_cert_pem{};
  std::string client_key_pem{};
  /// The namespace of the context (or of the service account); "default" otherwise.
  std::string namespace_ = "default";
  /// Bounds on one request (a watch uses `watch_idle_timeout` instead of the request
  /// timeout for its body).
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  /// A watch with no byte for this long is considered broken (servers send bookmarks or
  /// end the stream well before).
  std::chrono::milliseconds watch_idle_timeout{std::chrono::seconds(90)};
  /// "podvisor-controller/0.1.0"; sent as User-Agent.
  std::string user_agent = "podvisor";
  bool allow_insecure_http = false;
};

/// Reads a kubeconfig: the context `context` (the file's current-context when empty),
/// its cluster (server, certificate-authority-data or certificate-authority relative to
/// the file, insecure-skip-tls-verify) and user (token, tokenFile, client-certificate(-data),
/// client-key(-data)). Errors name the file and the missing or bad entry.
expected<client_config> load_kubeconfig(const std::filesystem::path& file, std::string_view context = {});

/// The in-cluster configuration: KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT from
/// the environment, and token, ca.crt and namespace from `service_account_dir`.
expected<client_config> load_in_cluster(
  const std::filesystem::path& service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

/// What a component uses when not told: `explicit_kubeconfig` if given, else
/// $KUBECONFIG (first file of the list), else the in-cluster configuration when
/// KUBERNETES_SERVICE_HOST is set, else ~/.kube/config.
expected<client_config> load_default_config(const std::filesystem::path& explicit_kubeconfig = {});

} // namespace podvisor::kube::client
