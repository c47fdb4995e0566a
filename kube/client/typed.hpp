#pragma once
// Typed CRUD over any api_client for the kinds kube/api describes (Pod, Node, Event,
// Lease, VirtualMachineInstance, ...): the resource comes from the kind's kind_info, and
// objects are encoded and decoded with the same codec the API server uses, so unknown
// fields survive a read-modify-write. A body the server sends that does not decode is
// errc::parse_error naming every field path.
//
//   auto vmi = typed::get<api::virtual_machine_instance>(client, "default", "web");
//   if (vmi) { vmi->status.phase = ...; typed::update_status(client, *vmi); }

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "kube/api/codec.hpp"
#include "kube/api/kinds.hpp"
#include "kube/client/api_client.hpp"

namespace podvisor::kube::client::typed {

/// The REST resource of kind T.
template <api::api_kind T>
resource_ref resource_of() {
  const auto& k = api::kind_info<T>::value;
  return resource_ref{std::string(k.group), std::string(k.version), std::string(k.plural), std::string(k.kind),
                      k.namespaced};
}

/// Decodes an object the server sent.
template <api::api_kind T>
expected<T> from_json(const nlohmann::json& j) {
  auto d = api::decode<T>(j);
  if (!d.ok())
    return error{errc::parse_error, std::string(api::kind_info<T>::value.kind) + ": " + api::join_messages(d.errors)};
  return std::move(d.value);
}

/// Encodes an object for the server, with apiVersion and kind set.
template <api::api_kind T>
nlohmann::json to_json(const T& object) {
  auto j = api::encode(object);
  const auto& k = api::kind_info<T>::value;
  j["apiVersion"] = std::string(k.api_version());
  j["kind"] = std::string(k.kind);
  return j;
}

namespace detail {
template <api::api_kind T>
expected<T> decode_result(expected<nlohmann::json> r) {
  if (!r)
    return std::move(r).error();
  return from_json<T>(*r);
}
} // namespace detail

/// A typed list and the resourceVersion to watch from.
template <class T>
struct typed_list {
  std::vector<T> items;
  std::string resource_version;
};

/// GET.
template <api::api_kind T>
expected<T> get(api_client& c, std::string_view ns, std::string_view name) {
  return detail::decode_result<T>(c.get(resource_of<T>(), ns, name));
}

/// GET a collection; `ns` empty → all namespaces.
template <api::api_kind T>
expected<typed_list<T>> list(api_client& c, std::string_view ns, const list_options& options = {}) {
  auto r = c.list(resource_of<T>(), ns, options);
  if (!r)
    return std::move(r).error();
  typed_list<T> out;
  out.resource_version = r->resource_version;
  out.items.reserve(r->items.size());
  for (const auto& item : r->items) {
    auto decoded = from_json<T>(item);
    if (!decoded)
      return std::move(decoded).error();
    out.items.push_back(std::move(*decoded));
  }
  return out;
}

/// POST (namespace from the object's metadata, else `ns`).
template <api::api_kind T>
expected<T> create(api_client& c, const T& object, std::string_view ns = {}) {
  return detail::decode_result<T>(c.create(resource_of<T>(), ns, to_json(object)));
}

/// PUT; a stale metadata.resourceVersion is errc::conflict.
template <api::api_kind T>
expected<T> update(api_client& c, const T& object) {
  return detail::decode_result<T>(c.update(resource_of<T>(), to_json(object)));
}

/// PUT to /status.
template <api::api_kind T>
expected<T> update_status(api_client& c, const T& object) {
  return detail::decode_result<T>(c.update_status(resource_of<T>(), to_json(object)));
}

/// Merge patch (RFC 7386) of the object or of a subresource ("status").
template <api::api_kind T>
expected<T> merge_patch(api_client& c, std::string_view ns, std::string_view name, const nlohmann::json& patch,
                        std::string_view subresource = {}) {
  return detail::decode_result<T>(c.patch(resource_of<T>(), ns, name, patch_type::merge, patch, subresource));
}

/// DELETE with preconditions and propagation policy; the server's answer as JSON (the
/// object while finalizers hold it, or a Status).
template <api::api_kind T>
expected<nlohmann::json> remove(api_client& c, std::string_view ns, std::string_view name,
                                const delete_options& options = {}) {
  return c.remove(resource_of<T>(), ns, name, options);
}

} // namespace podvisor::kube::client::typed
