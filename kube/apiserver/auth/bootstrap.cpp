#include "kube/apiserver/auth/bootstrap.hpp"

#include "kube/apiserver/auth/kubeconfig.hpp"

namespace podvisor::kube::apiserver {

namespace fs = std::filesystem;

expected<security_setup> prepare_security(const security_options& options) {
  std::vector<user_info> users{admin_user(), viewer_user()};
  for (const auto& component : options.components) {
    auto user = component_user(component);
    if (!user)
      return user.error();
    users.push_back(std::move(*user));
  }
  // ensure_pki creates the data directory with its final mode before anything is in it.
  auto pki = ensure_pki(options.data_dir, options.pki);
  if (!pki)
    return pki.error();
  security_setup setup;
  setup.data_dir = options.data_dir;
  setup.pki = std::move(*pki);
  setup.token_file = options.data_dir / "tokens.csv";
  auto tokens = ensure_token_file(setup.token_file, users);
  if (!tokens)
    return tokens.error();
  setup.tokens = std::move(tokens->entries);
  setup.tokens_added = std::move(tokens->added);
  setup.components = options.components;
  return setup;
}

expected<std::vector<fs::path>> write_kubeconfigs(const security_setup& setup,
                                                  std::string_view server) {
  std::vector<std::pair<std::string, std::string>> files{{"admin", std::string{user_admin}},
                                                         {"viewer", std::string{user_viewer}}};
  for (const auto& component : setup.components) {
    auto user = component_user(component);
    if (!user)
      return user.error();
    files.emplace_back(component, user->name);
  }
  std::vector<fs::path> written;
  for (const auto& [file, user] : files) {
    const token_entry* entry = find_user_token(setup.tokens, user);
    if (!entry)
      return error{errc::not_found,
                   "no token for user " + user + " in " + setup.token_file.string()};
    kubeconfig config;
    config.server = std::string{server};
    config.ca_pem = setup.pki.ca_cert_pem;
    config.user_name = user;
    config.token = entry->token;
    auto path = setup.data_dir / (file + ".kubeconfig");
    if (auto e = write_kubeconfig(path, config))
      return e;
    written.push_back(std::move(path));
  }
  return written;
}

} // namespace podvisor::kube::apiserver
