#pragma once
// Bearer-token authentication with kube-apiserver's rules for the Authorization header
// (k8s.io/apiserver bearertoken + tokenfile, anonymous auth enabled):
//
//   header absent or blank                         → anonymous
//   scheme other than "Bearer" (case-insensitive)  → anonymous ("Basic ..." included)
//   "Bearer" with nothing after one space          → anonymous ("Bearer", "Bearer  x")
//   "Bearer <token>" with an unknown token         → rejected (401, never anonymous)
//   "Bearer <token>" with a known token            → that user
//
// The header is trimmed and split on single spaces, as Go's strings.Split does; a third
// part is ignored. Authenticated users get "system:authenticated" appended to their
// groups, as kube-apiserver's authenticated-group adder does.
//
// Only SHA-256 digests of the tokens are kept in memory, and a presented token is
// compared with every digest in constant time, so neither the response time nor a memory
// dump reveals a token.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "kube/api/enum_table.hpp"
#include "kube/apiserver/auth/token_file.hpp"
#include "kube/apiserver/auth/user_info.hpp"

namespace podvisor::kube::apiserver {

/// What the authenticator concluded about a request's credentials.
enum class authn_status {
  anonymous,     ///< no credentials we understand: the authorizer decides for anonymous
  authenticated, ///< a known token
  rejected,      ///< a bearer token we do not know: answer 401 whatever the path
};

/// The outcome of authentication: the status and, when authenticated, the user.
struct authn_result {
  authn_status status = authn_status::anonymous;
  std::optional<user_info> user{};
};

/// Tokens longer than this are rejected without hashing (ours are 43 characters; Go's
/// HTTP server caps all headers at 1 MiB, we need not spend time on such a token).
inline constexpr std::size_t max_token_length = 4096;

/// Maps bearer tokens to users. Thread safety: immutable after construction, so any
/// number of threads may call `check` and `authenticate` concurrently.
class authenticator {
public:
  /// An authenticator knowing `entries` (a token listed twice maps to its last entry).
  explicit authenticator(const std::vector<token_entry>& entries);

  /// Classifies the Authorization header's value (empty when absent).
  authn_result check(std::string_view authorization_header) const;

  /// The user, or nothing for both anonymous and rejected requests.
  std::optional<user_info> authenticate(std::string_view authorization_header) const;

  /// Number of tokens known.
  std::size_t size() const { return entries_.size(); }

private:
  struct entry {
    std::array<unsigned char, 32> digest;
    user_info user;
  };
  std::vector<entry> entries_;
};

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::authn_status> {
  using e = podvisor::kube::apiserver::authn_status;
  static constexpr std::array entries = {
    enum_entry{e::anonymous, "anonymous"},
    enum_entry{e::authenticated, "authenticated"},
    enum_entry{e::rejected, "rejected"},
  };
};
