#pragma once
// Client certificates for components that prefer mutual TLS to bearer tokens. The CA of
// pki.hpp signs them; the subject carries the identity the way kube-apiserver's x509
// authenticator reads it: CN is the user name, each O is a group.

#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "kube/apiserver/auth/pki.hpp"
#include "kube/apiserver/auth/user_info.hpp"

namespace podvisor::kube::apiserver {

/// A client certificate and its private key, PEM text (for a kubeconfig's
/// client-certificate-data / client-key-data, or files).
struct client_credentials {
  std::string cert_pem;
  std::string key_pem;
};

/// How a client certificate is issued.
struct client_cert_options {
  /// Lifetime (never beyond the CA's own expiry).
  std::chrono::hours validity{24 * 365};
  /// Source of "now"; nullptr means the real clock.
  const podvisor::clock* clock = nullptr;
};

/// Issues a certificate for `user` (CN = name, one O per group; the uid is not carried,
/// as in Kubernetes) with a fresh P-256 key, signed by the CA in `pki`. Nothing is
/// written to disk. `invalid_argument` for an empty user name.
expected<client_credentials> issue_client_certificate(const pki_files& pki, const user_info& user,
                                                      const client_cert_options& options = {});

/// Verifies a client certificate chain (PEM: the leaf first, then any intermediates)
/// against the CA certificate `ca_pem` at time `now`, for TLS client use, and returns
/// the identity it carries (uid empty; groups from O in order, then
/// "system:authenticated"). `unauthorized` when the chain does not verify or the leaf has
/// no CN, `parse_error` when the PEM text holds no certificate.
expected<user_info> verify_client_certificate(std::string_view ca_pem, std::string_view chain_pem,
                                              std::chrono::system_clock::time_point now);

} // namespace podvisor::kube::apiserver
