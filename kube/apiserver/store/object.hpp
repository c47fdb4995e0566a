#pragma once
// What the store holds: JSON text under a (resource, namespace, name) key, stamped with a
// resourceVersion from one global counter. The store knows nothing about kinds; the
// resource is any string (by convention "group/version/plural", e.g.
// "kubevirt.io/v1/virtualmachineinstances", or "v1/pods" for the core group).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace podvisor::kube::apiserver {

/// Immutable JSON text shared between the current state, the watch history and every
/// watcher queue, so that fan-out and list copy a pointer, not the object.
using json_ptr = std::shared_ptr<const std::string>;

/// Where an object lives. `namespace_` is "" for cluster-scoped resources.
struct object_key {
  std::string resource;
  std::string namespace_;
  std::string name;
  friend bool operator==(const object_key&, const object_key&) = default;
};

/// An object as stored: its JSON (with metadata.resourceVersion set to `rv`) and its RV.
struct stored_object {
  std::uint64_t rv = 0;
  json_ptr json;
  /// The JSON text (never null for an object the store returned).
  const std::string& text() const { return *json; }
};

/// Conditions a write must meet; an unset member is not checked.
struct preconditions {
  /// The object's current resourceVersion must equal this (optimistic concurrency).
  std::optional<std::uint64_t> resource_version{};
  /// The object's metadata.uid must equal this (delete of a re-created object).
  std::optional<std::string> uid{};
};

/// The key as one string, "resource\0namespace\0name": ordered like the tuple, so that
/// every object of a resource (and of one of its namespaces) is one contiguous range of
/// an ordered index. `check_key` rules out NUL inside the parts.
std::string index_key(const object_key& key);

/// The prefix of `index_key` shared by every key of `resource` (and, when given, of
/// `namespace_`).
std::string index_prefix(std::string_view resource, const std::optional<std::string_view>& namespace_);

/// Splits an `index_key` back into its parts.
object_key key_from_index(std::string_view index);

/// The resourceVersion as it goes on the wire: a decimal string.
std::string format_resource_version(std::uint64_t rv);

/// Parses a wire resourceVersion. "" and "0" give 0 (Kubernetes: "any version", which for
/// a watch means "start with the current state"); anything but plain decimal digits that
/// fit in 64 bits gives nothing (the HTTP layer answers 400 BadRequest).
std::optional<std::uint64_t> parse_resource_version(std::string_view text);

} // namespace podvisor::kube::apiserver
