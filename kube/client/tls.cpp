#include "kube/client/tls.hpp"

#include <arpa/inet.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace podvisor::kube::client {

namespace {

/// Filled by the verify callback, which runs on the thread doing the handshake (the one
/// sending the request), and read by that thread when the request failed.
thread_local std::string verify_failure;

int verify_callback(int preverify_ok, X509_STORE_CTX* ctx) {
  if (preverify_ok == 1 || !verify_failure.empty())
    return preverify_ok;
  int err = X509_STORE_CTX_get_error(ctx);
  int depth = X509_STORE_CTX_get_error_depth(ctx);
  std::string subject = "?";
  if (X509* cert = X509_STORE_CTX_get_current_cert(ctx)) {
    char buf[256];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    subject = buf;
  }
  verify_failure = "certificate \"" + subject + "\" (depth " + std::to_string(depth)
                   + "): " + X509_verify_cert_error_string(err);
  return preverify_ok;
}

/// OpenSSL's reasons for the last failure, and the error queue emptied: a stale entry
/// would confuse later SSL_get_error calls on this thread.
std::string openssl_reason() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty())
      out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

/// Every certificate in `pem`, in order.
std::vector<X509*> read_certificates(const std::string& pem) {
  std::vector<X509*> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr)
    return out;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr))
    out.push_back(cert);
  BIO_free(bio);
  // The loop ends with a "no start line" error in the queue.
  ERR_clear_error();
  return out;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

} // namespace

tls_material::~tls_material() {
  X509_STORE_free(ca_store_);
  X509_free(client_cert_);
  for (X509* c : client_chain_)
    X509_free(c);
  EVP_PKEY_free(client_key_);
}

expected<std::shared_ptr<const tls_material>> tls_material::load(const client_config& config,
                                                                 const std::string& host) {
  std::shared_ptr<tls_material> out(new tls_material());
  out->host_ = host;
  out->insecure_ = config.insecure_skip_tls_verify;
  if (!config.ca_pem.empty()) {
    auto certs = read_certificates(config.ca_pem);
    if (certs.empty())
      return error{errc::parse_error, "certificate authority: no PEM certificate could be read"};
    out->ca_store_ = X509_STORE_new();
    for (X509* cert : certs) {
      // Adding the same certificate twice is harmless (a bundle may repeat one).
      X509_STORE_add_cert(out->ca_store_, cert);
      X509_free(cert);
    }
    ERR_clear_error();
  }
  if (config.client_cert_pem.empty() != config.client_key_pem.empty())
    return error{errc::invalid_argument, "client certificate: both a certificate and a key are needed"};
  if (!config.client_cert_pem.empty()) {
    auto chain = read_certificates(config.client_cert_pem);
    if (chain.empty())
      return error{errc::parse_error, "client certificate: no PEM certificate could be read"};
    out->client_cert_ = chain.front();
    out->client_chain_.assign(chain.begin() + 1, chain.end());
    BIO* bio = BIO_new_mem_buf(config.client_key_pem.data(), static_cast<int>(config.client_key_pem.size()));
    out->client_key_ = bio != nullptr ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    if (out->client_key_ == nullptr)
      return error{errc::parse_error, "client key: no PEM private key could be read (" + openssl_reason() + ")"};
    if (X509_check_private_key(out->client_cert_, out->client_key_) != 1) {
      ERR_clear_error();
      return error{errc::invalid_argument, "client key does not belong to the client certificate"};
    }
  }
  return std::shared_ptr<const tls_material>(std::move(out));
}

x509_store_st* tls_material::ca_store_reference() const {
  if (ca_store_ == nullptr)
    return nullptr;
  X509_STORE_up_ref(ca_store_);
  return ca_store_;
}

error tls_material::configure(ssl_ctx_st* ctx) const {
  if (ctx == nullptr)
    return {errc::internal, "TLS context could not be created (" + openssl_reason() + ")"};
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  for (X509* cert : client_chain_)
    if (SSL_CTX_add1_chain_cert(ctx, cert) != 1)
      return {errc::internal, "client certificate chain: " + openssl_reason()};
  if (insecure_) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return {};
  }
  if (ca_store_ == nullptr && SSL_CTX_set_default_verify_paths(ctx) != 1)
    return {errc::internal, "system trust store: " + openssl_reason()};
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  int ok = is_ip_literal(host_) ? X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str())
                                : X509_VERIFY_PARAM_set1_host(param, host_.c_str(), host_.size());
  if (ok != 1)
    return {errc::invalid_argument, "server host \"" + host_ + "\" cannot be verified: " + openssl_reason()};
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_callback);
  return {};
}

void reset_verify_failure() {
  verify_failure.clear();
  ERR_clear_error();
}

std::string take_tls_errors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    auto text = reason != nullptr ? std::string(reason) : "OpenSSL error " + std::to_string(code);
    if (out.find(text) == std::string::npos)
      out += (out.empty() ? "" : "; ") + text;
  }
  return out;
}

std::string last_verify_failure() {
  return verify_failure;
}

} // namespace podvisor::kube::client
