#pragma once
// Pieces shared by create, update, patch and delete: reading a request body, checking
// an object's identity against the URL, the server-owned metadata, and the final
// "admit and store" step.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/apiserver/server/resource_ops.hpp"
#include "kube/apiserver/store/store.hpp"

namespace podvisor::kube::apiserver {

/// Parses the request body as one JSON object (size limit, depth limit, content type).
/// On failure returns nothing and sets `error` to the response to send.
std::optional<nlohmann::json> read_object_body(op_context& c, api_response& error);

/// Checks apiVersion/kind (filled in when missing), the namespace (taken from the URL;
/// 400 when the body names another) and, when `url_name` is set, the name.
bool check_identity(op_context& c, nlohmann::json& object, bool url_name, api_response& error);

/// The store key of the object a request addresses.
object_key key_of(op_context& c);

/// Copies the server-owned metadata (uid, creationTimestamp, deletion fields, generation)
/// from `current` into `updated`, keeps `current`'s status when the kind has a status
/// subresource, and bumps generation when anything but metadata and status changed.
void carry_server_fields(const resource_entry& entry, const nlohmann::json& current, nlohmann::json& updated);

/// Replaces `current`'s status with `updated`'s and returns the result (status writes).
nlohmann::json with_status_of(const nlohmann::json& current, const nlohmann::json& updated);

/// Admits `updated` and stores it over `current` with an RV precondition
/// (`expected_rv`, 0 for none). An object that is terminating and whose finalizers are now
/// empty is removed instead. Returns the response to send.
api_response admit_and_replace(op_context& c, const object_key& key, nlohmann::json updated,
                               std::uint64_t expected_rv);

/// Adds the warnings of admission to a response.
void add_warnings(api_response& r, const std::vector<std::string>& warnings);

} // namespace podvisor::kube::apiserver
