#pragma once
// Bearer tokens, persisted in DIR/tokens.csv in kube-apiserver's static token file format
// (--token-auth-file), one user per line:
//
//   token,user name,uid,"group1,group2"
//
// At least three columns; the fourth, optional, is a comma-separated group list; further
// columns are ignored; a line with an empty token is skipped; a token listed twice maps
// to its last line. The file is mode 0600 and may be edited by hand (add a user, revoke a
// token): the server reads it at start and only ever appends to it.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "kube/apiserver/auth/user_info.hpp"

namespace podvisor::kube::apiserver {

/// One line of the token file.
struct token_entry {
  std::string token;
  user_info user;

  friend bool operator==(const token_entry&, const token_entry&) = default;
};

/// A new token: 32 bytes from OpenSSL's CSPRNG, base64url without padding (43
/// characters). `internal` if the random generator fails (it does not, once seeded).
expected<std::string> generate_token();

/// Parses token file text with kube-apiserver's rules (see the header comment). Group
/// lists drop empty names (",a," is the group "a"). `parse_error` names the line.
expected<std::vector<token_entry>> parse_token_file(std::string_view text);

/// One line of token file text for `entry`, ending in '\n'; the group column is always
/// quoted.
std::string format_token_line(const token_entry& entry);

/// Reads and parses a token file, tightening its mode to 0600 if it was looser.
expected<std::vector<token_entry>> load_token_file(const std::filesystem::path& path);

/// The first entry for user `name`, or nullptr.
const token_entry* find_user_token(const std::vector<token_entry>& entries, std::string_view name);

/// The token file after `ensure_token_file`: every entry in file order, and the names of
/// the users whose tokens were created by this call.
struct token_file_state {
  std::vector<token_entry> entries;
  std::vector<std::string> added;
};

/// Makes sure `path` holds a token for every user in `users` (matched by name): existing
/// lines are kept byte for byte, users without a line get a fresh token appended, and the
/// file is replaced atomically (mode 0600) only when something was added. Creates the
/// file on first start.
expected<token_file_state> ensure_token_file(const std::filesystem::path& path,
                                             const std::vector<user_info>& users);

} // namespace podvisor::kube::apiserver
