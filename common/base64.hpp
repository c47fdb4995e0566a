#pragma once
// Base64 (RFC 4648), shared by every library: the padded standard alphabet for
// kubeconfig *-data fields and Secret data (strict, as Go's base64.StdEncoding), the
// unpadded URL-safe alphabet for bearer tokens (no '+', '/' or '=', so a token is safe in
// a header, a CSV field, a YAML scalar and a shell argument).

#include <optional>
#include <string>
#include <string_view>

namespace podvisor {

/// Standard alphabet with '=' padding (what Go's base64.StdEncoding writes).
std::string base64_encode(std::string_view bytes);

/// URL-safe alphabet ('-' and '_'), no padding.
std::string base64url_encode(std::string_view bytes);

/// Decodes the standard alphabet with padding; nothing for malformed input.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace podvisor
