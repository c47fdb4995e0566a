#include "kube/apiserver/auth/pki.hpp"

#include <algorithm>

#include "kube/apiserver/auth/secure_file.hpp"
#include "kube/apiserver/auth/x509_util.hpp"

#include <openssl/err.h>

namespace podvisor::kube::apiserver {

namespace fs = std::filesystem;
using namespace detail;

namespace {

/// Certificates start an hour in the past so that a peer whose clock is slightly behind
/// does not reject a certificate made a moment ago (client-go's self-signed helper does
/// the same).
constexpr std::time_t backdate_seconds = 3600;

constexpr auto mode_private_dir = fs::perms::owner_all;

struct ca_material {
  x509_ptr cert;
  pkey_ptr key;
  bool created = false;
};

bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253)
    return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-')
        return false;
      label = 0;
      continue;
    }
    if (!alnum && c != '-')
      return false;
    if (c == '-' && label == 0)
      return false;
    if (++label > 63)
      return false;
  }
  return label > 0 && s.back() != '-';
}

void add_unique(std::vector<std::string>& out, const std::string& value) {
  if (std::find(out.begin(), out.end(), value) == out.end())
    out.push_back(value);
}

std::time_t to_time_t(std::chrono::hours h) {
  return static_cast<std::time_t>(std::chrono::duration_cast<std::chrono::seconds>(h).count());
}

/// Writes key then certificate: a crash in between leaves a key without a certificate,
/// which the next start treats as "no certificate yet".
error write_pair(const fs::path& key_path, EVP_PKEY* key, const fs::path& cert_path, X509* cert) {
  auto key_pem = private_key_pem(key);
  if (!key_pem)
    return key_pem.error();
  auto cert_pem = certificate_pem(cert);
  if (!cert_pem)
    return cert_pem.error();
  if (auto e = write_file_atomically(key_path, *key_pem, mode_private))
    return e;
  return write_file_atomically(cert_path, *cert_pem, mode_public);
}

expected<ca_material> create_ca(const pki_files& files, const pki_options& options,
                                std::time_t now) {
  auto key = generate_key();
  if (!key)
    return key.error();
  cert_spec spec;
  spec.role = cert_role::ca;
  // The timestamp makes each installation's CA name distinct, so that two data
  // directories' CAs never look like the same issuer to a client that trusts both.
  spec.common_name = "podvisor-ca@" + std::to_string(now);
  spec.not_before = now - backdate_seconds;
  spec.not_after = now + to_time_t(options.ca_validity);
  auto cert = issue_certificate(spec, key->get(), nullptr, nullptr);
  if (!cert)
    return cert.error();
  if (auto e = write_pair(files.ca_key, key->get(), files.ca_cert, cert->get()))
    return e;
  return ca_material{std::move(*cert), std::move(*key), true};
}

expected<ca_material> load_or_create_ca(const pki_files& files, const pki_options& options,
                                        std::time_t now) {
  std::error_code ec;
  if (!fs::exists(files.ca_cert, ec))
    return create_ca(files, options, now);
  auto cert_text = read_small_file(files.ca_cert);
  if (!cert_text)
    return cert_text.error();
  auto cert = parse_certificate(*cert_text);
  if (!cert)
    return error{errc::parse_error, files.ca_cert.string() + ": " + cert.error().message};
  auto key_text = read_small_file(files.ca_key);
  if (!key_text)
    return error{key_text.error().code,
                 files.ca_key.string() + " is unreadable but " + files.ca_cert.string() +
                   " exists; restore the key or delete " + files.dir.string() +
                   " to create a new CA: " + key_text.error().message};
  auto key = parse_private_key(*key_text);
  if (!key)
    return error{errc::parse_error, files.ca_key.string() + ": " + key.error().message};
  if (X509_check_private_key(cert->get(), key->get()) != 1)
    return error{errc::parse_error, openssl_error(files.ca_key.string() + " does not match " +
                                                  files.ca_cert.string())};
  if (not_after(cert->get()) <= now)
    return error{errc::gone, files.ca_cert.string() + " has expired; delete " +
                               files.dir.string() + " to create a new CA"};
  if (auto e = restrict_to_owner(files.ca_key))
    return e;
  return ca_material{std::move(*cert), std::move(*key), false};
}

/// Why the serving certificate on disk cannot be reused; empty when it can.
std::string serving_problem(const pki_files& files, const ca_material& ca,
                            const pki_options& options, std::time_t now) {
  std::error_code ec;
  if (!fs::exists(files.serving_cert, ec) || !fs::exists(files.serving_key, ec))
    return "no certificate yet";
  auto cert_text = read_small_file(files.serving_cert);
  auto cert = cert_text ? parse_certificate(*cert_text) : expected<x509_ptr>{cert_text.error()};
  if (!cert)
    return "unreadable certificate (" + cert.error().message + ")";
  auto key_text = read_small_file(files.serving_key);
  auto key = key_text ? parse_private_key(*key_text) : expected<pkey_ptr>{key_text.error()};
  if (!key)
    return "unreadable key (" + key.error().message + ")";
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return "certificate does not match its key";
  }
  if (auto e = verify_certificate(ca.cert.get(), cert->get(), {}, cert_role::server, now))
    return "not valid for the current CA (" + e.message + ")";
  for (const auto& ip : serving_ip_sans(options))
    if (!has_ip_san(cert->get(), ip))
      return "missing SAN " + ip;
  for (const auto& dns : serving_dns_sans(options))
    if (!has_dns_san(cert->get(), dns))
      return "missing SAN " + dns;
  if (not_after(cert->get()) <= now + to_time_t(options.renew_before))
    return "expires within " +
           std::to_string(
               std::chrono::duration_cast<std::chrono::days>(options.renew_before).count()) +
           " days";
  return {};
}

error issue_serving(const pki_files& files, const ca_material& ca, const pki_options& options,
                    std::time_t now) {
  auto key = generate_key();
  if (!key)
    return key.error();
  cert_spec spec;
  spec.role = cert_role::server;
  spec.common_name = "podvisor-apiserver";
  spec.ip_addresses = serving_ip_sans(options);
  spec.dns_names = serving_dns_sans(options);
  spec.not_before = now - backdate_seconds;
  // A certificate outliving its issuer would only fail verification later.
  spec.not_after = std::min(now + to_time_t(options.serving_validity), not_after(ca.cert.get()));
  auto cert = issue_certificate(spec, key->get(), ca.cert.get(), ca.key.get());
  if (!cert)
    return cert.error();
  return write_pair(files.serving_key, key->get(), files.serving_cert, cert->get());
}

error validate(const pki_options& options) {
  for (const auto& ip : options.extra_ips)
    if (!is_ip_literal(ip))
      return error{errc::invalid_argument, "extra SAN \"" + ip + "\" is not an IP address"};
  for (const auto& dns : options.extra_dns_names)
    if (!is_dns_name(dns))
      return error{errc::invalid_argument, "extra SAN \"" + dns + "\" is not a DNS name"};
  return {};
}

} // namespace

std::vector<std::string> serving_ip_sans(const pki_options& options) {
  std::vector<std::string> out{"127.0.0.1", "::1"};
  for (const auto& ip : options.extra_ips)
    add_unique(out, ip);
  return out;
}

std::vector<std::string> serving_dns_sans(const pki_options& options) {
  std::vector<std::string> out{"localhost"};
  for (const auto& dns : options.extra_dns_names)
    add_unique(out, dns);
  return out;
}

expected<pki_files> ensure_pki(const fs::path& data_dir, const pki_options& options) {
  if (auto e = validate(options))
    return e;
  const podvisor::clock& clk = options.clock ? *options.clock : real_clock::instance();
  std::time_t now = std::chrono::system_clock::to_time_t(clk.wall_now());

  pki_files files;
  files.dir = data_dir / "pki";
  files.ca_cert = files.dir / "ca.crt";
  files.ca_key = files.dir / "ca.key";
  files.serving_cert = files.dir / "apiserver.crt";
  files.serving_key = files.dir / "apiserver.key";
  if (auto e = ensure_directory(data_dir, mode_private_dir))
    return e;
  if (auto e = ensure_directory(files.dir, mode_private_dir))
    return e;

  auto ca = load_or_create_ca(files, options, now);
  if (!ca)
    return ca.error();
  files.ca_created = ca->created;
  auto ca_pem = certificate_pem(ca->cert.get());
  if (!ca_pem)
    return ca_pem.error();
  files.ca_cert_pem = std::move(*ca_pem);

  files.serving_reason = serving_problem(files, *ca, options, now);
  if (!files.serving_reason.empty()) {
    if (auto e = issue_serving(files, *ca, options, now))
      return e;
    files.serving_issued = true;
  } else if (auto e = restrict_to_owner(files.serving_key)) {
    return e;
  }
  return files;
}

} // namespace podvisor::kube::apiserver
