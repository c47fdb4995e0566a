#pragma once
// The TLS side of the REST client, in OpenSSL terms but without OpenSSL in this header:
// the CA bundle and client certificate parsed once from PEM text held in memory, and the
// settings every connection's SSL_CTX gets. Internal to kube/client.
//
// Why verification is done here and not by cpp-httplib: httplib's own check calls
// SSL_CTX_set_default_verify_paths whenever no CA *file* is given, which would add the
// system's public CAs to the cluster CA we were told to trust. Instead the SSL_CTX gets
// our X509_STORE, SSL_VERIFY_PEER and the expected host name or IP, so OpenSSL checks
// chain and name during the handshake; a verify callback records why a certificate was
// refused so that the error can say so.

#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "kube/client/config.hpp"

struct ssl_ctx_st;
struct x509_st;
struct x509_store_st;
struct evp_pkey_st;

namespace podvisor::kube::client {

/// CA and client credentials, parsed once and shared (read-only) by every connection.
/// Thread safety: immutable after `load`.
class tls_material {
public:
  /// Parses `config`'s CA bundle (every certificate in it) and client certificate chain
  /// and key, and checks that the key belongs to the certificate; `host` is the name or
  /// IP the server certificate must carry. parse_error / invalid_argument naming the
  /// part at fault.
  static expected<std::shared_ptr<const tls_material>> load(const client_config& config, const std::string& host);
  ~tls_material();
  tls_material(const tls_material&) = delete;
  tls_material& operator=(const tls_material&) = delete;

  /// The client certificate and key (nullptr when none), for cpp-httplib's SSLClient
  /// constructor, which takes its own references.
  x509_st* client_cert() const { return client_cert_; }
  evp_pkey_st* client_key() const { return client_key_; }

  /// A new reference to the CA store for a connection to own (SSL_CTX_set_cert_store
  /// takes ownership); nullptr when the system trust store is to be used.
  x509_store_st* ca_store_reference() const;

  /// Sets up a connection's context: TLS 1.2 or later; unless insecure, peer
  /// verification against the CA given to it (or the system store when the config has
  /// none) and of the host name / IP; the client certificate's chain certificates.
  /// Call after the CA store was installed.
  error configure(ssl_ctx_st* ctx) const;

private:
  tls_material() = default;

  std::string host_;
  bool insecure_ = false;
  x509_store_st* ca_store_ = nullptr;
  x509_st* client_cert_ = nullptr;
  std::vector<x509_st*> client_chain_;
  evp_pkey_st* client_key_ = nullptr;
};

/// Forgets the last verification failure and OpenSSL errors recorded on this thread
/// (before a request).
void reset_verify_failure();
/// OpenSSL's error queue of this thread as text ("" when empty), emptied: after a failed
/// request it says what TLS refused (with TLS 1.3 a server's refusal of our client
/// certificate arrives as an alert on the first read, not in the handshake).
std::string take_tls_errors();
/// Why the server certificate was refused in this thread's last handshake ("" when it
/// was not): "certificate \"CN=x\" (depth 1): self-signed certificate in certificate chain".
std::string last_verify_failure();

} // namespace podvisor::kube::client
