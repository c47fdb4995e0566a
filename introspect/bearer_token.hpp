#pragma once
// The one bearer token the introspection server accepts, read from a file (a Secret's
// `token` key written to disk). Nothing listens on a network address without
// authentication, so every route, /healthz included, requires it.

#include <array>
#include <filesystem>
#include <string_view>

#include "common/error.hpp"

namespace podvisor::introspect {

/// A loaded token; compares presented credentials in constant time.
/// Thread safety: immutable after `load`.
class bearer_token {
public:
  /// Reads `file` (at most 4 KiB; surrounding whitespace and the final newline are not
  /// part of the token). not_found / io_error for the file, invalid_argument for an empty
  /// token or one with characters a header cannot carry.
  static expected<bearer_token> load(const std::filesystem::path& file);
  /// A token given directly (tests); invalid_argument as for `load`.
  static expected<bearer_token> from_text(std::string_view token);

  /// True when `authorization` is "Bearer <the token>" (scheme case-insensitive, as
  /// RFC 7235 says). The comparison takes the same time whatever the presented token is:
  /// both sides are hashed (SHA-256) and the digests compared with CRYPTO_memcmp, so
  /// neither the content nor the length of the real token leaks through timing.
  bool accepts(std::string_view authorization) const;

private:
  bearer_token() = default;
  std::array<unsigned char, 32> digest_{};
};

} // namespace podvisor::introspect
