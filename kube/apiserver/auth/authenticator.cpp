#include "kube/apiserver/auth/authenticator.hpp"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace podvisor::kube::apiserver {

namespace {

std::array<unsigned char, 32> digest_of(std::string_view token) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), out.data());
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return lower(x) == lower(y);
         });
}

} // namespace

authenticator::authenticator(const std::vector<token_entry>& entries) {
  entries_.reserve(entries.size());
  for (const auto& e : entries) {
    if (e.token.empty())
      continue;
    user_info user = e.user;
    if (std::find(user.groups.begin(), user.groups.end(), group_authenticated) == user.groups.end())
      user.groups.emplace_back(group_authenticated);
    entries_.push_back({digest_of(e.token), std::move(user)});
  }
}

authn_result authenticator::check(std::string_view authorization_header) const {
  auto header = trim(authorization_header);
  auto space = header.find(' ');
  if (header.empty() || space == std::string_view::npos ||
      !iequals(header.substr(0, space), "bearer"))
    return {authn_status::anonymous, std::nullopt};
  auto token = header.substr(space + 1);
  token = token.substr(0, token.find(' ')); // a third part is ignored
  if (token.empty())
    return {authn_status::anonymous, std::nullopt};
  if (token.size() > max_token_length)
    return {authn_status::rejected, std::nullopt};

  auto presented = digest_of(token);
  const entry* match = nullptr;
  // Compare with every digest, without stopping early, so the time taken does not
  // depend on which entry (if any) matches.
  for (const auto& e : entries_)
    if (CRYPTO_memcmp(e.digest.data(), presented.data(), presented.size()) == 0)
      match = &e;
  if (!match)
    return {authn_status::rejected, std::nullopt};
  return {authn_status::authenticated, match->user};
}

std::optional<user_info> authenticator::authenticate(std::string_view authorization_header) const {
  return check(authorization_header).user;
}

} // namespace podvisor::kube::apiserver
