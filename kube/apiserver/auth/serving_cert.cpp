#include "kube/apiserver/auth/serving_cert.hpp"

#include <algorithm>
#include <cctype>

#include "kube/apiserver/auth/x509_util.hpp"

namespace podvisor::kube::apiserver {

using namespace detail;

namespace {

/// RFC 1123 host name: dot-separated labels of letters, digits and '-', not starting or
/// ending with '-', each at most 63 characters, 253 in total.
bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253)
    return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-')
        return false;
      label = 0;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || (c == '-' && label > 0)) || ++label > 63)
      return false;
  }
  return label > 0 && s.back() != '-';
}

} // namespace

expected<serving_credentials> issue_serving_certificate(std::string_view ca_cert_pem, std::string_view ca_key_pem,
                                                        const serving_cert_options& options) {
  if (options.ip_addresses.empty() && options.dns_names.empty())
    return error{errc::invalid_argument, "a serving certificate needs at least one IP address or DNS name"};
  for (const auto& ip : options.ip_addresses)
    if (!is_ip_literal(ip))
      return error{errc::invalid_argument, "\"" + ip + "\" is not an IPv4 or IPv6 address"};
  for (const auto& name : options.dns_names)
    if (!is_dns_name(name))
      return error{errc::invalid_argument, "\"" + name + "\" is not a DNS name"};
  auto ca_cert = parse_certificate(ca_cert_pem);
  if (!ca_cert)
    return error{errc::parse_error, "CA certificate: " + ca_cert.error().message};
  auto ca_key = parse_private_key(ca_key_pem);
  if (!ca_key)
    return error{errc::parse_error, "CA key: " + ca_key.error().message};
  if (X509_check_private_key(ca_cert->get(), ca_key->get()) != 1)
    return error{errc::parse_error, openssl_error("the CA key does not belong to the CA certificate")};

  const podvisor::clock& clk = options.clock ? *options.clock : real_clock::instance();
  std::time_t now = std::chrono::system_clock::to_time_t(clk.wall_now());
  cert_spec spec;
  spec.role = cert_role::server;
  spec.common_name = options.common_name;
  spec.ip_addresses = options.ip_addresses;
  spec.dns_names = options.dns_names;
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(options.validity).count();
  auto leaf = issue_leaf_pem(std::move(spec), ca_cert->get(), ca_key->get(), now, static_cast<std::time_t>(lifetime));
  if (!leaf)
    return leaf.error();
  return serving_credentials{std::move(leaf->cert), std::move(leaf->key)};
}

} // namespace podvisor::kube::apiserver
