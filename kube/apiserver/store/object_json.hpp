#pragma once
// The little the store needs to know about an object's JSON: that it is an object whose
// metadata names the key it is stored under, and where metadata.resourceVersion goes.
// Objects stay JSON text in memory; these helpers parse only on the write path.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kube/apiserver/store/object.hpp"
#include "kube/apiserver/store/result.hpp"

namespace podvisor::kube::apiserver {

/// Checks that `key` can name an object: resource and name non-empty, and no NUL byte in
/// any part (the in-memory index joins the parts with NUL).
store_result<bool> check_key(const object_key& key);

/// Checks that `doc` is a JSON object with a `metadata` object whose `name` equals
/// `key.name` and whose `namespace`, when present, equals `key.namespace_` ("" or absent
/// for cluster-scoped keys).
store_result<bool> check_object(const nlohmann::json& doc, const object_key& key);

/// Parses untrusted `text` (depth-limited, no exceptions) and checks it with `check_object`.
store_result<nlohmann::json> parse_object(std::string_view text, const object_key& key);

/// Parses text the store wrote itself (so valid and depth-checked): one pass, no limits.
/// Returns a discarded value (`is_discarded()`) if the text is somehow not JSON.
nlohmann::json parse_stored(const std::string& text);

/// Sets metadata.resourceVersion of `doc` to `rv` and returns the compact JSON text. The
/// text is canonical (keys sorted, no whitespace), so equal documents give equal bytes.
std::string stamp_object(nlohmann::json& doc, std::uint64_t rv);

/// The metadata.uid of a parsed object, or "" when absent.
std::string object_uid(const nlohmann::json& doc);

} // namespace podvisor::kube::apiserver
