#include "kube/apiserver/auth/x509_util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace podvisor::kube::apiserver::detail {

namespace {

using bio_ptr = std::unique_ptr<BIO, ossl_free>;

bio_ptr read_bio(std::string_view text) {
  return bio_ptr{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
}

/// Drains a memory BIO into a string.
std::string drain(BIO* bio) {
  std::string out(BIO_ctrl_pending(bio), '\0');
  int n = BIO_read(bio, out.data(), static_cast<int>(out.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

error add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  std::unique_ptr<X509_EXTENSION, ossl_free> ext{X509V3_EXT_nconf_nid(nullptr, ctx, nid, value)};
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return error{errc::internal, openssl_error(std::string{"add extension "} + OBJ_nid2sn(nid))};
  return {};
}

/// A subjectAltName extension built entry by entry (not from a config string, so a
/// caller-supplied name can never smuggle in extra entries).
error add_subject_alt_names(X509* cert, const cert_spec& spec) {
  std::unique_ptr<GENERAL_NAMES, ossl_free> names{GENERAL_NAMES_new()};
  if (!names)
    return error{errc::internal, openssl_error("allocate subjectAltName")};
  for (const auto& dns : spec.dns_names) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (!gn || !ia5 || ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(ia5);
      return error{errc::internal, openssl_error("subjectAltName DNS " + dns)};
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    if (sk_GENERAL_NAME_push(names.get(), gn) <= 0) {
      GENERAL_NAME_free(gn);
      return error{errc::internal, openssl_error("subjectAltName DNS " + dns)};
    }
  }
  for (const auto& ip : spec.ip_addresses) {
    ASN1_OCTET_STRING* bytes = a2i_IPADDRESS(ip.c_str());
    if (!bytes) {
      ERR_clear_error();
      return error{errc::invalid_argument, "\"" + ip + "\" is not an IP address"};
    }
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (!gn) {
      ASN1_OCTET_STRING_free(bytes);
      return error{errc::internal, openssl_error("subjectAltName IP " + ip)};
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, bytes);
    if (sk_GENERAL_NAME_push(names.get(), gn) <= 0) {
      GENERAL_NAME_free(gn);
      return error{errc::internal, openssl_error("subjectAltName IP " + ip)};
    }
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return error{errc::internal, openssl_error("add subjectAltName")};
  return {};
}

error set_subject(X509* cert, const cert_spec& spec) {
  X509_NAME* name = X509_get_subject_name(cert);
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.data()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  // O before CN, the order Go's pkix.Name and kubeadm write.
  for (const auto& org : spec.organizations)
    if (!add("O", org))
      return error{errc::invalid_argument, openssl_error("subject O=" + org)};
  if (!add("CN", spec.common_name))
    return error{errc::invalid_argument, openssl_error("subject CN=" + spec.common_name)};
  return {};
}

/// A random positive 128-bit serial: RFC 5280 wants unique positive serials of at most
/// 20 octets, and Go rejects negative ones.
error set_random_serial(X509* cert) {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return error{errc::internal, openssl_error("random serial")};
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40); // positive, never zero
  std::unique_ptr<BIGNUM, ossl_free> bn{
      BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr)};
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)))
    return error{errc::internal, openssl_error("set serial")};
  return {};
}

error add_role_extensions(X509* cert, X509V3_CTX* ctx, cert_role role) {
  // Python 3.13's default VERIFY_X509_STRICT wants basicConstraints critical on a CA, a
  // subjectKeyIdentifier on the CA and an authorityKeyIdentifier on every leaf.
  struct ext {
    int nid;
    const char* value;
  };
  std::vector<ext> exts;
  switch (role) {
    case cert_role::ca:
      exts = {{NID_basic_constraints, "critical,CA:TRUE"},
              {NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"},
              {NID_subject_key_identifier, "hash"},
              {NID_authority_key_identifier, "keyid:always"}};
      break;
    case cert_role::server:
      exts = {{NID_basic_constraints, "critical,CA:FALSE"},
              {NID_key_usage, "critical,digitalSignature"},
              {NID_ext_key_usage, "serverAuth"},
              {NID_subject_key_identifier, "hash"},
              {NID_authority_key_identifier, "keyid:always"}};
      break;
    case cert_role::client:
      exts = {{NID_basic_constraints, "critical,CA:FALSE"},
              {NID_key_usage, "critical,digitalSignature"},
              {NID_ext_key_usage, "clientAuth"},
              {NID_authority_key_identifier, "keyid:always"}};
      break;
  }
  for (const auto& e : exts)
    if (auto err = add_extension(cert, ctx, e.nid, e.value))
      return err;
  return {};
}

bool asn1_bytes_equal(const ASN1_STRING* a, const ASN1_STRING* b) {
  return ASN1_STRING_length(a) == ASN1_STRING_length(b) &&
         std::memcmp(ASN1_STRING_get0_data(a), ASN1_STRING_get0_data(b),
                     static_cast<std::size_t>(ASN1_STRING_length(a))) == 0;
}

/// Calls `f(const GENERAL_NAME*)` for every subjectAltName entry until it returns true.
template <class F>
bool any_san(X509* cert, F f) {
  std::unique_ptr<GENERAL_NAMES, ossl_free> names{static_cast<GENERAL_NAMES*>(
    X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))};
  if (!names)
    return false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i)
    if (f(sk_GENERAL_NAME_value(names.get(), i)))
      return true;
  return false;
}

} // namespace

std::string openssl_error(std::string_view what) {
  std::string out{what};
  unsigned long code = ERR_get_error();
  if (code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    out += ": ";
    out += buf.data();
  }
  ERR_clear_error();
  return out;
}

expected<pkey_ptr> generate_key() {
  std::unique_ptr<EVP_PKEY_CTX, ossl_free> ctx{EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)};
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1)
    return error{errc::internal, openssl_error("generate EC P-256 key")};
  return pkey_ptr{raw};
}

expected<x509_ptr> parse_certificate(std::string_view pem) {
  auto bio = read_bio(pem);
  x509_ptr cert{bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr};
  if (!cert)
    return error{errc::parse_error, openssl_error("parse certificate")};
  return cert;
}

expected<std::vector<x509_ptr>> parse_certificates(std::string_view pem) {
  auto bio = read_bio(pem);
  std::vector<x509_ptr> out;
  while (bio) {
    x509_ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
    if (!cert)
      break;
    out.push_back(std::move(cert));
  }
  if (out.empty())
    return error{errc::parse_error, openssl_error("parse certificate")};
  ERR_clear_error(); // the loop ends on "no start line", which is not an error here
  return out;
}

expected<pkey_ptr> parse_private_key(std::string_view pem) {
  auto bio = read_bio(pem);
  pkey_ptr key{bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr};
  if (!key)
    return error{errc::parse_error, openssl_error("parse private key")};
  return key;
}

expected<std::string> certificate_pem(X509* cert) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    return error{errc::internal, openssl_error("encode certificate")};
  return drain(bio.get());
}

expected<std::string> private_key_pem(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return error{errc::internal, openssl_error("encode private key")};
  return drain(bio.get());
}

expected<x509_ptr> issue_certificate(const cert_spec& spec, EVP_PKEY* subject_key, X509* issuer,
                                     EVP_PKEY* issuer_key) {
  x509_ptr cert{X509_new()};
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return error{errc::internal, openssl_error("allocate certificate")};
  if (auto e = set_random_serial(cert.get()))
    return e;
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), spec.not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), spec.not_after))
    return error{errc::internal, openssl_error("set validity")};
  if (auto e = set_subject(cert.get(), spec))
    return e;
  X509* signer_cert = issuer ? issuer : cert.get();
  EVP_PKEY* signer_key = issuer ? issuer_key : subject_key;
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer_cert)) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1)
    return error{errc::internal, openssl_error("set issuer and key")};
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, signer_cert, cert.get(), nullptr, nullptr, 0);
  if (auto e = add_role_extensions(cert.get(), &ctx, spec.role))
    return e;
  if (!spec.ip_addresses.empty() || !spec.dns_names.empty())
    if (auto e = add_subject_alt_names(cert.get(), spec))
      return e;
  if (X509_sign(cert.get(), signer_key, EVP_sha256()) <= 0)
    return error{errc::internal, openssl_error("sign certificate")};
  return cert;
}

error verify_certificate(X509* ca, X509* leaf, const std::vector<x509_ptr>& intermediates,
                         cert_role role, std::time_t now) {
  std::unique_ptr<X509_STORE, ossl_free> store{X509_STORE_new()};
  std::unique_ptr<X509_STORE_CTX, ossl_free> ctx{X509_STORE_CTX_new()};
  std::unique_ptr<STACK_OF(X509), ossl_free> chain{sk_X509_new_null()};
  if (!store || !ctx || !chain || X509_STORE_add_cert(store.get(), ca) != 1)
    return error{errc::internal, openssl_error("set up verification")};
  for (const auto& cert : intermediates) {
    if (X509_up_ref(cert.get()) != 1)
      return error{errc::internal, openssl_error("set up verification")};
    if (sk_X509_push(chain.get(), cert.get()) <= 0) {
      X509_free(cert.get());
      return error{errc::internal, openssl_error("set up verification")};
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain.get()) != 1)
    return error{errc::internal, openssl_error("set up verification")};
  X509_STORE_CTX_set_purpose(ctx.get(), role == cert_role::client ? X509_PURPOSE_SSL_CLIENT
                                                                  : X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), now);
  if (X509_verify_cert(ctx.get()) == 1)
    return {};
  std::string reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  ERR_clear_error();
  return error{errc::unauthorized, "certificate verification failed: " + reason};
}

bool is_ip_literal(std::string_view ip) {
  std::unique_ptr<ASN1_OCTET_STRING, ossl_free> bytes{a2i_IPADDRESS(std::string{ip}.c_str())};
  ERR_clear_error();
  return bytes != nullptr;
}

bool has_ip_san(X509* cert, std::string_view ip) {
  std::unique_ptr<ASN1_OCTET_STRING, ossl_free> wanted{a2i_IPADDRESS(std::string{ip}.c_str())};
  ERR_clear_error();
  if (!wanted)
    return false;
  return any_san(cert, [&](const GENERAL_NAME* gn) {
    return gn->type == GEN_IPADD && asn1_bytes_equal(gn->d.iPAddress, wanted.get());
  });
}

bool has_dns_san(X509* cert, std::string_view name) {
  return any_san(cert, [&](const GENERAL_NAME* gn) {
    if (gn->type != GEN_DNS)
      return false;
    std::string_view have{reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                          static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName))};
    if (have.size() != name.size())
      return false;
    for (std::size_t i = 0; i < have.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(have[i])) !=
          std::tolower(static_cast<unsigned char>(name[i])))
        return false;
    return true;
  });
}

std::vector<std::string> subject_entries(X509* cert, int nid) {
  std::vector<std::string> out;
  X509_NAME* name = X509_get_subject_name(cert);
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (n >= 0)
      out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
  }
  ERR_clear_error();
  return out;
}

std::time_t not_after(X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) {
    ERR_clear_error();
    return 0;
  }
  return timegm(&tm);
}

expected<leaf_pem> issue_leaf_pem(cert_spec spec, X509* issuer, EVP_PKEY* issuer_key, std::time_t now,
                                  std::time_t lifetime_seconds) {
  auto key = generate_key();
  if (!key)
    return key.error();
  spec.not_before = now - 3600;
  spec.not_after = std::min(now + lifetime_seconds, not_after(issuer));
  auto cert = issue_certificate(spec, key->get(), issuer, issuer_key);
  if (!cert)
    return cert.error();
  auto cert_pem = certificate_pem(cert->get());
  if (!cert_pem)
    return cert_pem.error();
  auto key_pem = private_key_pem(key->get());
  if (!key_pem)
    return key_pem.error();
  return leaf_pem{std::move(*cert_pem), std::move(*key_pem)};
}

} // namespace podvisor::kube::apiserver::detail
