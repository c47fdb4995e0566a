#pragma once
// Independent certificate checks for the tests, written directly against OpenSSL (what
// `openssl verify -x509_strict -purpose ...` does), so that the library's own
// verification code is not the only judge of the certificates it makes.

#include <memory>
#include <string>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace podvisor::test {

struct x509_free {
  void operator()(X509* p) const { X509_free(p); }
};
using x509_owner = std::unique_ptr<X509, x509_free>;

/// Parses the first certificate of PEM text (nullptr on failure).
inline x509_owner load_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  x509_owner cert{PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)};
  BIO_free(bio);
  ERR_clear_error();
  return cert;
}

/// Verifies `leaf_pem` against the single trusted `ca_pem` with strict X.509 checks for
/// `purpose` (X509_PURPOSE_SSL_SERVER or _CLIENT); "" on success, OpenSSL's reason
/// otherwise.
inline std::string strict_verify(const std::string& ca_pem, const std::string& leaf_pem, int purpose) {
  auto ca = load_cert(ca_pem);
  auto leaf = load_cert(leaf_pem);
  if (!ca || !leaf)
    return "unparsable certificate";
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_set_flags(store, X509_V_FLAG_X509_STRICT);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  std::string result;
  if (X509_verify_cert(ctx) != 1)
    result = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  ERR_clear_error();
  return result;
}

} // namespace podvisor::test
