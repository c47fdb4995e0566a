#include "kube/apiserver/auth/client_cert.hpp"

#include <algorithm>

#include "kube/apiserver/auth/secure_file.hpp"
#include "kube/apiserver/auth/x509_util.hpp"

namespace podvisor::kube::apiserver {

using namespace detail;

expected<client_credentials> issue_client_certificate(const pki_files& pki, const user_info& user,
                                                      const client_cert_options& options) {
  if (user.name.empty())
    return error{errc::invalid_argument, "a client certificate needs a user name"};
  auto ca_key_text = read_small_file(pki.ca_key);
  if (!ca_key_text)
    return ca_key_text.error();
  auto ca_key = parse_private_key(*ca_key_text);
  if (!ca_key)
    return ca_key.error();
  auto ca_cert = parse_certificate(pki.ca_cert_pem);
  if (!ca_cert)
    return ca_cert.error();

  const podvisor::clock& clk = options.clock ? *options.clock : real_clock::instance();
  std::time_t now = std::chrono::system_clock::to_time_t(clk.wall_now());
  cert_spec spec;
  spec.role = cert_role::client;
  spec.common_name = user.name;
  spec.organizations = user.groups;
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(options.validity).count();
  auto leaf = issue_leaf_pem(std::move(spec), ca_cert->get(), ca_key->get(), now, static_cast<std::time_t>(lifetime));
  if (!leaf)
    return leaf.error();
  return client_credentials{std::move(leaf->cert), std::move(leaf->key)};
}

expected<user_info> verify_client_certificate(std::string_view ca_pem, std::string_view chain_pem,
                                              std::chrono::system_clock::time_point now) {
  auto ca = parse_certificate(ca_pem);
  if (!ca)
    return error{errc::parse_error, "CA certificate: " + ca.error().message};
  auto chain = parse_certificates(chain_pem);
  if (!chain)
    return chain.error();
  X509* leaf = chain->front().get();
  std::vector<x509_ptr> intermediates;
  for (std::size_t i = 1; i < chain->size(); ++i)
    intermediates.push_back(std::move((*chain)[i]));
  if (auto e = verify_certificate(ca->get(), leaf, intermediates, cert_role::client,
                                  std::chrono::system_clock::to_time_t(now)))
    return e;
  auto names = subject_entries(leaf, NID_commonName);
  // kube-apiserver does not authenticate a certificate without a common name; with
  // several, Go's pkix.Name keeps the last.
  if (names.empty() || names.back().empty())
    return error{errc::unauthorized, "client certificate has no common name"};
  user_info user;
  user.name = names.back();
  user.groups = subject_entries(leaf, NID_organizationName);
  if (std::find(user.groups.begin(), user.groups.end(), group_authenticated) == user.groups.end())
    user.groups.emplace_back(group_authenticated);
  return user;
}

} // namespace podvisor::kube::apiserver
