#pragma once
// Serving certificates for other HTTPS listeners than the API server (the node agent's
// introspection endpoint), issued by the cluster CA of pki.hpp from its PEM text. The
// API server's own serving certificate stays with `ensure_pki`; this is the one-shot
// variant for a caller that already holds the CA (e.g. `podvisor up` handing each node
// agent a certificate for its node IP).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"

namespace podvisor::kube::apiserver {

/// A serving certificate and its private key, PEM text.
struct serving_credentials {
  std::string cert_pem;
  std::string key_pem;
};

/// What to put in the certificate.
struct serving_cert_options {
  /// Subject CN (informational: clients check the SANs).
  std::string common_name = "podvisor-agent";
  /// subjectAltName IP addresses (IPv4 or IPv6 literals) and DNS names; at least one
  /// entry in total.
  std::vector<std::string> ip_addresses{};
  std::vector<std::string> dns_names{};
  /// Lifetime (never beyond the CA's own expiry).
  std::chrono::hours validity{24 * 365};
  /// Source of "now"; nullptr means the real clock.
  const podvisor::clock* clock = nullptr;
};

/// Issues a TLS server certificate (ECDSA P-256, serverAuth) with `options`' SANs, signed
/// by the CA whose certificate and key are `ca_cert_pem` / `ca_key_pem`. Nothing is
/// written to disk (use secure_file.hpp: the key with mode_private). `invalid_argument`
/// for no SAN or a bad IP literal / DNS name, `parse_error` for unreadable CA material or
/// a key that does not belong to the CA certificate.
expected<serving_credentials> issue_serving_certificate(std::string_view ca_cert_pem, std::string_view ca_key_pem,
                                                        const serving_cert_options& options);

} // namespace podvisor::kube::apiserver
