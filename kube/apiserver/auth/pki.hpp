#pragma once
// The embedded API server's certificates. At first start in a data directory it creates
// a certificate authority and a TLS serving certificate signed by it; later starts reuse
// both. Files, under DIR/pki:
//
//   ca.crt          the CA certificate (0644): what kubeconfigs carry as
//                   certificate-authority-data and what clients trust
//   ca.key          its private key (0600)
//   apiserver.crt   the serving certificate (0644), SANs 127.0.0.1, ::1, localhost and
//                   the caller's extra IPs and DNS names
//   apiserver.key   its private key (0600)
//
// Keys are ECDSA P-256: Go's crypto/tls (kubectl), Python's ssl (OpenSSL 3) and
// cpp-httplib (OpenSSL) all accept them, and they are quick to generate. Every file is
// written atomically (secure_file.hpp), each key before its certificate, so a crash
// leaves either nothing new or a complete pair; a key without a certificate is replaced.
//
// On a later start the CA is kept as it is (replacing it would invalidate every
// kubeconfig and client certificate already handed out). The serving certificate is
// reissued, with a new key, when it is missing or unreadable, does not match its key,
// does not chain to the CA, lacks a requested SAN, or expires within `renew_before`.
//
// One process per data directory: two processes creating the same PKI at once would each
// write a complete CA, and the later rename wins.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"

namespace podvisor::kube::apiserver {

/// How the PKI is created and when the serving certificate is renewed.
struct pki_options {
  /// IP addresses the server is also reached at (simulated nodes, a bridge address);
  /// 127.0.0.1 and ::1 are always included. Each must be an IPv4 or IPv6 literal.
  std::vector<std::string> extra_ips{};
  /// DNS names the server is also reached at; "localhost" is always included.
  std::vector<std::string> extra_dns_names{};
  /// Lifetime of a new CA.
  std::chrono::hours ca_validity{24 * 3650};
  /// Lifetime of a new serving certificate (never beyond the CA's own expiry).
  std::chrono::hours serving_validity{24 * 365};
  /// A serving certificate that expires sooner than this is reissued at start.
  std::chrono::hours renew_before{24 * 30};
  /// Source of "now" for validity periods and checks; nullptr means the real clock.
  const podvisor::clock* clock = nullptr;
};

/// Where the PKI lives and what `ensure_pki` did this time.
struct pki_files {
  /// DIR/pki (mode 0700).
  std::filesystem::path dir{};
  std::filesystem::path ca_cert{};
  std::filesystem::path ca_key{};
  std::filesystem::path serving_cert{};
  std::filesystem::path serving_key{};
  /// The PEM text of ca.crt (for kubeconfigs' certificate-authority-data).
  std::string ca_cert_pem{};
  /// True when this call created the CA (first start).
  bool ca_created = false;
  /// True when this call (re)issued the serving certificate.
  bool serving_issued = false;
  /// Why the serving certificate was (re)issued, for the log ("no certificate yet",
  /// "missing SAN 10.0.0.7", "expires within 30 days"); empty when it was reused.
  std::string serving_reason{};
};

/// The serving certificate's SANs for `options`: loopback and "localhost" first, then
/// the extras in order, without duplicates.
std::vector<std::string> serving_ip_sans(const pki_options& options);
std::vector<std::string> serving_dns_sans(const pki_options& options);

/// Creates or reuses the PKI under `data_dir`/pki (creating `data_dir` if needed), as the
/// header comment describes. Errors: `invalid_argument` for a bad extra IP or DNS name,
/// `parse_error` for an unreadable ca.crt or ca.key or a key that does not match the
/// certificate, `not_found` for a ca.crt without ca.key, `gone` for an expired CA (in
/// these three cases a person has to decide: restore the file or delete DIR/pki to start
/// over, which invalidates every credential handed out), `io_error` when a file cannot
/// be written.
expected<pki_files> ensure_pki(const std::filesystem::path& data_dir,
                               const pki_options& options = {});

} // namespace podvisor::kube::apiserver
