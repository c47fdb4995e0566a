#pragma once
// Small operations on object JSON that the REST semantics need: identity, server-set
// metadata, spec/status separation, generation.

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace podvisor::kube::apiserver {

using json = nlohmann::json;

/// A random (version 4) UUID, for metadata.uid.
std::string new_uid();

/// A name for generateName: the prefix (cut to leave room) and 5 random characters from
/// the alphabet Kubernetes uses (no vowels, no confusable digits).
std::string generate_name(std::string_view prefix);

/// metadata as an object (created when missing or not an object).
json& metadata_of(json& object);

/// A string member of metadata, or "".
std::string meta_string(const json& object, const char* key);

/// Everything but metadata and status: what counts as "spec" for generation and for the
/// status subresource. Kinds without a spec (ConfigMap data) are covered too.
json without_metadata_and_status(const json& object);

/// True when the object's finalizers list is non-empty.
bool has_finalizers(const json& object);

/// True when metadata.deletionTimestamp is set.
bool is_terminating(const json& object);

/// RFC 3339 seconds in UTC for `t`.
std::string rfc3339(std::chrono::system_clock::time_point t);

} // namespace podvisor::kube::apiserver
