#pragma once
// Kubeconfig files for the embedded API server, written as the YAML kubectl itself
// writes (`kubectl config view --raw` layout): one cluster "podvisor" with the server URL
// and the CA certificate inline, one user with a bearer token (or a client certificate),
// one context "podvisor" that is current. kubectl and python3-kubernetes'
// config.load_kube_config read it as is.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace podvisor::kube::apiserver {

/// What goes into one kubeconfig.
struct kubeconfig {
  std::string cluster_name = "podvisor";
  std::string context_name = "podvisor";
  /// "https://127.0.0.1:6443" (see `server_url`).
  std::string server{};
  /// PEM text of the CA certificate (written base64-encoded as certificate-authority-data).
  std::string ca_pem{};
  /// The user entry's name (the API user name, for readability).
  std::string user_name{};
  /// Bearer token; empty when the user authenticates with a client certificate.
  std::string token{};
  /// Client certificate and key PEM text (client-certificate-data / client-key-data);
  /// used when not empty.
  std::string client_cert_pem{};
  std::string client_key_pem{};
  /// The context's default namespace; empty leaves it out (kubectl uses "default").
  std::string namespace_{};
};

/// The https URL for a listen address: IPv6 literals in brackets, and wildcard addresses
/// (0.0.0.0, ::, empty) replaced by loopback, since the serving certificate names
/// loopback and clients cannot meaningfully connect to a wildcard.
std::string server_url(std::string_view host, std::uint16_t port);

/// The YAML text of `config`.
std::string render_kubeconfig(const kubeconfig& config);

/// Writes `config` to `path` atomically with mode 0600 (it holds a credential).
error write_kubeconfig(const std::filesystem::path& path, const kubeconfig& config);

} // namespace podvisor::kube::apiserver
