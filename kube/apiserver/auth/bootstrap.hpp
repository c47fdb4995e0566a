#pragma once
// The embedded API server's security at start, in two calls:
//
//   auto setup = prepare_security({.data_dir = dir, .components = {"controller", "agent"}});
//   authenticator authn{setup->tokens};           // serve with setup->pki.serving_cert/key
//   ... listen, learn the port ...
//   write_kubeconfigs(*setup, server_url(host, port));
//
// prepare_security creates (first start) or reuses (later starts) DIR/pki/* (pki.hpp) and
// DIR/tokens.csv with tokens for podvisor-admin, podvisor-viewer and one user per
// component (token_file.hpp). write_kubeconfigs then writes DIR/admin.kubeconfig,
// DIR/viewer.kubeconfig and DIR/<component>.kubeconfig for the address actually bound;
// they are rewritten at every start because the port may change.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "kube/apiserver/auth/pki.hpp"
#include "kube/apiserver/auth/token_file.hpp"

namespace podvisor::kube::apiserver {

/// What to set up.
struct security_options {
  /// The data directory (created if missing, mode 0700).
  std::filesystem::path data_dir{};
  /// Components that get a user, a token and a kubeconfig ("controller", "scheduler",
  /// "node-node01", "agent"); DNS-1123 labels, see `component_user`.
  std::vector<std::string> components{};
  /// SANs, validity periods and the clock for the PKI.
  pki_options pki{};
};

/// The state `prepare_security` leaves behind.
struct security_setup {
  std::filesystem::path data_dir{};
  pki_files pki{};
  /// DIR/tokens.csv.
  std::filesystem::path token_file{};
  /// Every entry of tokens.csv (hand-added users included), for the authenticator.
  std::vector<token_entry> tokens{};
  /// Users whose tokens were created by this start.
  std::vector<std::string> tokens_added{};
  /// The components, in the order given.
  std::vector<std::string> components{};
};

/// Creates or reuses the PKI and the token file. Errors as `ensure_pki`,
/// `ensure_token_file` and `component_user` report them.
expected<security_setup> prepare_security(const security_options& options);

/// Writes admin.kubeconfig (podvisor-admin), viewer.kubeconfig (podvisor-viewer) and
/// <component>.kubeconfig for each component, all pointing at `server` with the CA
/// inline and the user's token from tokens.csv; returns their paths. `not_found` when a
/// user has no token (tokens.csv edited after prepare_security).
expected<std::vector<std::filesystem::path>> write_kubeconfigs(const security_setup& setup,
                                                               std::string_view server);

} // namespace podvisor::kube::apiserver
