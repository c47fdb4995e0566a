// load_in_cluster: the configuration a pod gets on a real cluster (client-go's
// rest.InClusterConfig): the service's address from the environment and the service
// account's token, CA and namespace from files.

#include <cstdlib>
#include <string>

#include "kube/client/config.hpp"
#include "kube/client/config_files.hpp"

namespace podvisor::kube::client {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string{};
}

} // namespace

expected<client_config> load_in_cluster(const std::filesystem::path& service_account_dir) {
  auto host = env("KUBERNETES_SERVICE_HOST");
  auto port = env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty())
    return error{errc::not_found, "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
                                  "must both be set"};
  client_config out;
  // The service host is an IP literal; an IPv6 one needs brackets in a URL.
  if (host.find(':') != std::string::npos && host.front() != '[')
    host = "[" + host + "]";
  out.server = "https://" + host + ":" + port;

  auto token_file = service_account_dir / "token";
  auto token = read_text_file(token_file, "service account token");
  if (!token)
    return token.error().with_context("in-cluster configuration");
  if (trim(*token).empty())
    return error{errc::invalid_argument, "service account token " + token_file.string() + " is empty"}.with_context(
      "in-cluster configuration");
  // Projected service-account tokens rotate: the client re-reads the file.
  out.token_file = token_file;

  auto ca_file = service_account_dir / "ca.crt";
  auto ca = read_text_file(ca_file, "service account CA");
  if (!ca)
    return ca.error().with_context("in-cluster configuration");
  if (!has_pem_block(*ca, "CERTIFICATE"))
    return error{errc::parse_error, "service account CA " + ca_file.string() + ": no PEM certificate"}.with_context(
      "in-cluster configuration");
  out.ca_pem = std::move(*ca);

  // The namespace file is optional, as in client-go; without it "default" applies.
  if (auto ns = read_text_file(service_account_dir / "namespace", "service account namespace")) {
    if (auto trimmed = trim(*ns); !trimmed.empty())
      out.namespace_ = trimmed;
  }
  return out;
}

} // namespace podvisor::kube::client
