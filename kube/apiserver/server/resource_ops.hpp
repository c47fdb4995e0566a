#pragma once
// The REST operations on one resource, split by verb family into read_ops.cpp,
// write_ops.cpp, delete_ops.cpp and watch_session.cpp. Called by api_handler after
// routing, authentication and authorization.

#include "kube/apiserver/resources/registry.hpp"
#include "kube/apiserver/server/api_handler.hpp"

namespace podvisor::kube::apiserver {

/// Everything an operation needs about the request it serves.
struct op_context {
  api_handler& server;
  const resource_entry& entry;
  const request_path& path;
  const api_request& request;
};

/// GET of one object (or its status subresource).
api_response get_object(op_context& c);
/// GET of a collection (list), with label/field selectors and Table output.
api_response list_objects(op_context& c);
/// GET ...?watch=true: a watch session.
api_response watch_objects(op_context& c);
/// POST to a collection (create), or to pods/NAME/binding.
api_response create_object(op_context& c);
/// PUT of an object or its status subresource.
api_response update_object(op_context& c);
/// Creates `object` (identity already checked) as POST does; used by apply-patch too.
api_response create_from(op_context& c, nlohmann::json object);
/// PATCH of an object or its status subresource (merge, JSON, strategic, apply).
api_response patch_object(op_context& c);
/// DELETE of an object (finalizers, graceful pod deletion, propagation policy).
api_response delete_object(op_context& c);
/// DELETE of a collection (with selectors).
api_response delete_collection(op_context& c);

} // namespace podvisor::kube::apiserver
