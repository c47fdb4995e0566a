#pragma once
// Query parameters as kube-apiserver reads them: booleans like Go's strconv.ParseBool
// (python sends "True"), integers strictly.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace podvisor::kube::apiserver {

/// Decoded query parameters; a repeated key keeps its first value.
using query_params = std::map<std::string, std::string, std::less<>>;

/// Parses a raw query string ("a=1&b=x%20y"), percent-decoding keys and values and '+'
/// as space. Malformed escapes are kept literally.
query_params parse_query(std::string_view raw);

/// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> parse_go_bool(std::string_view text);

/// A boolean parameter: `fallback` when absent; nothing when present but not a Go bool.
std::optional<bool> bool_param(const query_params& q, std::string_view key, bool fallback);

/// A non-negative integer parameter: nothing when absent or malformed; `malformed` tells which.
std::optional<std::int64_t> int_param(const query_params& q, std::string_view key, bool& malformed);

/// The value of `key` or "".
std::string_view param(const query_params& q, std::string_view key);

} // namespace podvisor::kube::apiserver
