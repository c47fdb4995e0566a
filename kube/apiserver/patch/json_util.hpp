#pragma once
// Small JSON helpers shared by the patch implementations (internal to the library).

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace podvisor::kube::apiserver::detail {

/// Nesting depth as parse_json counts it: a scalar is 0, `{}` and `[]` are 1, `{"a":[1]}`
/// is 2. Iterative, so any document, however deep, can be measured.
inline std::size_t json_depth(const nlohmann::json& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> stack{{&root, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (!node->is_structured())
      continue;
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *node)
      stack.emplace_back(&child, depth + 1);
  }
  return deepest;
}

/// The name Go's encoding/json uses for a JSON value's type in "cannot unmarshal X into
/// Go value of type T" messages.
inline const char* go_json_type(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: return "object";
    case nlohmann::json::value_t::array: return "array";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::boolean: return "bool";
    case nlohmann::json::value_t::null: return "null";
    default: return "number";
  }
}

} // namespace podvisor::kube::apiserver::detail
