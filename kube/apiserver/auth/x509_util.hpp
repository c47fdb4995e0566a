#pragma once
// Internal to kube/apiserver/auth: owners for OpenSSL objects and the X.509 operations
// that pki.cpp and client_cert.cpp share. Only .cpp files of this folder include it, so
// OpenSSL stays out of every public header (callers link nothing of OpenSSL).

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/error.hpp"

namespace podvisor::kube::apiserver::detail {

/// Frees any OpenSSL object we own through `std::unique_ptr`.
struct ossl_free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free_all(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(STACK_OF(X509)* p) const { sk_X509_pop_free(p, X509_free); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};

using x509_ptr = std::unique_ptr<X509, ossl_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, ossl_free>;

/// "what: <OpenSSL's reason>" from the thread's error queue, which it then clears (a stale
/// entry would otherwise be blamed on the next, unrelated failure).
std::string openssl_error(std::string_view what);

/// A fresh ECDSA P-256 key (named-curve encoding, which Go's x509 requires).
expected<pkey_ptr> generate_key();

/// The first certificate in PEM text.
expected<x509_ptr> parse_certificate(std::string_view pem);
/// Every certificate in PEM text, in order (at least one).
expected<std::vector<x509_ptr>> parse_certificates(std::string_view pem);
/// An unencrypted private key in PEM text (PKCS#8, SEC1 or PKCS#1).
expected<pkey_ptr> parse_private_key(std::string_view pem);
/// PEM text of a certificate.
expected<std::string> certificate_pem(X509* cert);
/// Unencrypted PKCS#8 PEM text ("BEGIN PRIVATE KEY") of a private key.
expected<std::string> private_key_pem(EVP_PKEY* key);

/// What a certificate is for; decides basicConstraints, keyUsage and extendedKeyUsage.
enum class cert_role { ca, server, client };

/// The contents of a certificate to issue.
struct cert_spec {
  cert_role role = cert_role::server;
  std::string common_name;
  /// Subject O entries, in order (a client certificate's groups).
  std::vector<std::string> organizations;
  /// subjectAltName entries (server certificates): IP literals and DNS names.
  std::vector<std::string> ip_addresses;
  std::vector<std::string> dns_names;
  std::time_t not_before = 0;
  std::time_t not_after = 0;
};

/// Builds and signs a certificate for `subject_key`. With `issuer` null it is
/// self-signed by `subject_key`; otherwise `issuer_key` (the CA's key) signs it.
expected<x509_ptr> issue_certificate(const cert_spec& spec, EVP_PKEY* subject_key,
                                     X509* issuer, EVP_PKEY* issuer_key);

/// A freshly keyed leaf certificate and its private key, both PEM text.
struct leaf_pem {
  std::string cert;
  std::string key;
};

/// Issues a leaf certificate signed by the CA (`issuer`, `issuer_key`) for a new key:
/// `spec`'s validity is set to [now − 1 h, min(now + lifetime, the CA's notAfter)] — an
/// hour back for peers whose clocks run slightly behind, never outliving its issuer.
expected<leaf_pem> issue_leaf_pem(cert_spec spec, X509* issuer, EVP_PKEY* issuer_key, std::time_t now,
                                  std::time_t lifetime_seconds);

/// Verifies that `leaf` chains to `ca` (through `intermediates`) at time `now` and is
/// valid for `role` (server: TLS server auth, client: TLS client auth). The error message
/// is OpenSSL's verification reason.
error verify_certificate(X509* ca, X509* leaf, const std::vector<x509_ptr>& intermediates,
                         cert_role role, std::time_t now);

/// True when the certificate's subjectAltName lists the IP address `ip` (compared as
/// bytes, so "::1" matches "0:0:0:0:0:0:0:1"). False for an unparsable `ip`.
bool has_ip_san(X509* cert, std::string_view ip);
/// True when the certificate's subjectAltName lists DNS name `name` (case-insensitive).
bool has_dns_san(X509* cert, std::string_view name);
/// True when `ip` is an IPv4 or IPv6 literal OpenSSL can put in a subjectAltName.
bool is_ip_literal(std::string_view ip);

/// The UTF-8 values of every subject entry with `nid` (NID_commonName,
/// NID_organizationName), in certificate order.
std::vector<std::string> subject_entries(X509* cert, int nid);

/// notAfter as a time_t (0 if unreadable).
std::time_t not_after(X509* cert);

} // namespace podvisor::kube::apiserver::detail
