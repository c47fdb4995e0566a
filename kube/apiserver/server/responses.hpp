#pragma once
// Building api_responses: JSON bodies and Kubernetes Status errors with the right
// reason and code (kubectl prints them as `Error from server (<reason>): <message>`).

#include <string_view>

#include "kube/api/core/status.hpp"
#include "kube/apiserver/server/api_types.hpp"
#include "kube/apiserver/store/result.hpp"

namespace podvisor::kube::apiserver {

/// A JSON response with `status`.
api_response json_response(int status, const nlohmann::json& body);

/// A response carrying JSON text that is already serialized (stored objects).
api_response text_response(int status, std::string body, std::string content_type = "application/json");

/// A Status error response; the HTTP status is the Status's code.
api_response status_response(const api::status& s);

/// A Status with an arbitrary reason and code (MethodNotAllowed, UnsupportedMediaType,
/// Gone/Expired, Forbidden, RequestEntityTooLarge, ...).
api_response error_response(int code, std::string_view reason, std::string_view message);

/// Maps a store error on (group, resource, name) to the Status Kubernetes sends.
api_response store_error_response(const store_error& e, std::string_view group, std::string_view resource,
                                  std::string_view name);

/// The Status an in-stream watch ERROR event carries (same shape as the body above).
nlohmann::json status_json(int code, std::string_view reason, std::string_view message);

} // namespace podvisor::kube::apiserver
