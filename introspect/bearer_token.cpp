#include "introspect/bearer_token.hpp"

#include <fstream>
#include <iterator>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace podvisor::introspect {

namespace {

constexpr std::size_t max_token_file = 4096;

std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n";
  auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

} // namespace

expected<bearer_token> bearer_token::from_text(std::string_view token) {
  token = trim(token);
  if (token.empty())
    return error{errc::invalid_argument, "the token is empty"};
  for (char c : token)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return error{errc::invalid_argument, "the token holds a character an HTTP header cannot carry"};
  bearer_token out;
  out.digest_ = sha256(token);
  return out;
}

expected<bearer_token> bearer_token::load(const std::filesystem::path& file) {
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (ec)
    return error{ec == std::errc::no_such_file_or_directory ? errc::not_found : errc::io_error,
                 "token file " + file.string() + ": " + ec.message()};
  if (size > max_token_file)
    return error{errc::invalid_argument, "token file " + file.string() + " is larger than 4 KiB"};
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof())
    return error{errc::io_error, "token file " + file.string() + ": cannot be read"};
  auto token = from_text(text);
  if (!token)
    return token.error().with_context("token file " + file.string());
  return token;
}

bool bearer_token::accepts(std::string_view authorization) const {
  constexpr std::string_view scheme = "bearer ";
  bool scheme_ok = authorization.size() > scheme.size();
  for (std::size_t i = 0; scheme_ok && i < scheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    scheme_ok = c == scheme[i];
  }
  // Hash even when the scheme is wrong, so that every refusal costs the same.
  auto presented = sha256(scheme_ok ? authorization.substr(scheme.size()) : authorization);
  return CRYPTO_memcmp(presented.data(), digest_.data(), digest_.size()) == 0 && scheme_ok;
}

} // namespace podvisor::introspect
