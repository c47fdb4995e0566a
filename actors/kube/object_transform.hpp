#pragma once
// Informer transforms (client-go's SharedIndexInformer.SetTransform): an informer can
// change each object it receives before it caches and delivers it, so that a cache
// holds only what its readers use. Parsed JSON costs 5–10 times its text (a member is a
// tree node, a key and a value, each allocated), and a controller keeps every object of
// its informers for as long as it runs: a launcher pod of ~3 KB text is ~17 KB in
// memory, most of it the container's command, environment and volumes, which the VMI
// controller never reads.
//
// The rule that keeps this safe: an object that went through a transform is a *view*,
// never something to write back. A controller that PUTs an object it took from a
// transformed cache would silently delete whatever the transform dropped. Every writer
// in Podvisor's controllers reads the object fresh from the API (status writer, the node
// controller's read-modify-write) or sends a patch naming only its own fields; a
// transform may only drop what no reader of its cache uses. Each transform says which
// readers it serves, next to them.
//
// A transform must keep metadata.namespace, name, uid and resourceVersion (the
// informer's key and ordering), and should not throw: it runs on the informer's helper
// thread for the real source. One that throws leaves the object as far as it got, and
// the informer caches that (logged).
//
// Plain C++ (no CAF): the helpers below are what transforms are built from.

#include <functional>
#include <initializer_list>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace podvisor::actors::kube {

/// Changes one object in place before it is cached (see above). Null: objects are
/// cached as they come.
using object_transform = std::function<void(nlohmann::json& object)>;

/// Applies `transform` to `object`; false (the object as far as it got) when the
/// transform threw. Never throws.
bool apply_transform(const object_transform& transform, nlohmann::json& object) noexcept;

/// Removes metadata.managedFields: server-side apply's bookkeeping, often larger than
/// the spec, read only by the API server (client-go's TransformStripManagedFields).
void strip_managed_fields(nlohmann::json& object);

/// strip_managed_fields, and kubectl's `kubectl.kubernetes.io/last-applied-configuration`
/// annotation (a copy of the whole object as last applied, read only by kubectl). Not
/// for objects whose annotations a controller copies elsewhere (a VMI's go into its
/// launcher pod).
void strip_bookkeeping(nlohmann::json& object);

/// Removes the members `names` from `object` when it is a JSON object; anything else is
/// left alone.
void erase_members(nlohmann::json& object, std::initializer_list<std::string_view> names);

/// Keeps only the members `names` of `object` when it is a JSON object; anything else is
/// left alone.
void keep_members(nlohmann::json& object, std::initializer_list<std::string_view> names);

/// The member `name` of `object`, or nullptr when `object` is not a JSON object or has
/// no such member.
nlohmann::json* member(nlohmann::json& object, std::string_view name);

/// Calls `fn` on every element of the array `object[name]` (nothing when absent or not
/// an array).
void for_each_element(nlohmann::json& object, std::string_view name, const std::function<void(nlohmann::json&)>& fn);

} // namespace podvisor::actors::kube
