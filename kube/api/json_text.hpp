#pragma once
// Parsing JSON text that comes from outside (HTTP bodies, manifest files, watch streams)
// without exceptions and with a nesting limit, so that hostile input ("[[[[..." a million
// deep) gets an error instead of exhausting the stack in later recursive walks.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace podvisor::kube::api {

/// Deeper documents are refused; Kubernetes objects nest a few dozen levels at most.
inline constexpr std::size_t default_max_json_depth = 100;

/// Parses `text` as one JSON document. On failure returns false and sets `error` to a
/// one-line reason ("invalid JSON at byte 17: ...", "JSON nested deeper than 100 levels").
bool parse_json(std::string_view text, nlohmann::json& out, std::string& error,
                std::size_t max_depth = default_max_json_depth);

} // namespace podvisor::kube::api
