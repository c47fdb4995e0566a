// load_default_config: clientcmd's default loading rules, reduced to the cases Podvisor's
// components meet (an explicit file, $KUBECONFIG, in-cluster, ~/.kube/config).

#include <cstdlib>
#include <string>

#include "kube/client/config.hpp"

namespace podvisor::kube::client {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string{};
}

} // namespace

expected<client_config> load_default_config(const std::filesystem::path& explicit_kubeconfig) {
  if (!explicit_kubeconfig.empty())
    return load_kubeconfig(explicit_kubeconfig);
  auto list = env("KUBECONFIG");
  // $KUBECONFIG is a ':'-separated list; merging several files is not supported, the
  // first non-empty entry is used.
  for (std::size_t start = 0; start <= list.size();) {
    auto end = list.find(':', start);
    if (end == std::string::npos)
      end = list.size();
    auto entry = list.substr(start, end - start);
    if (!entry.empty())
      return load_kubeconfig(entry);
    start = end + 1;
  }
  if (!env("KUBERNETES_SERVICE_HOST").empty())
    return load_in_cluster();
  auto home = env("HOME");
  if (home.empty())
    return error{errc::not_found, "no configuration: no kubeconfig given, $KUBECONFIG and $HOME unset, and not in a "
                                  "cluster (KUBERNETES_SERVICE_HOST unset)"};
  return load_kubeconfig(std::filesystem::path(home) / ".kube" / "config");
}

} // namespace podvisor::kube::client
