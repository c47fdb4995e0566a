#include "kube/apiserver/server/responses.hpp"

#include <string>

namespace podvisor::kube::apiserver {

api_response json_response(int status, const nlohmann::json& body) {
  api_response r;
  r.status = status;
  // error_handler_t::replace: a string with invalid UTF-8 (it can only come from a bug,
  // since inputs are validated on parse) must not throw in the middle of a response.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

api_response text_response(int status, std::string body, std::string content_type) {
  api_response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

api_response status_response(const api::status& s) {
  return json_response(s.code, api::encode(s));
}

nlohmann::json status_json(int code, std::string_view reason, std::string_view message) {
  return {{"kind", "Status"},       {"apiVersion", "v1"},          {"metadata", nlohmann::json::object()},
          {"status", "Failure"},    {"message", std::string(message)}, {"reason", std::string(reason)},
          {"code", code}};
}

api_response error_response(int code, std::string_view reason, std::string_view message) {
  return json_response(code, status_json(code, reason, message));
}

api_response store_error_response(const store_error& e, std::string_view group, std::string_view resource,
                                  std::string_view name) {
  switch (e.code) {
    case store_errc::not_found: return status_response(api::make_not_found_status(group, resource, name));
    case store_errc::already_exists:
      return status_response(api::make_already_exists_status(group, resource, name));
    case store_errc::conflict:
      return status_response(api::make_conflict_status(
        group, resource, name, "the object has been modified; please apply your changes to the latest version and try again"));
    case store_errc::gone: return error_response(410, "Expired", e.message);
    case store_errc::invalid: return status_response(api::make_bad_request_status(e.message));
    case store_errc::io_error: return status_response(api::make_internal_error_status(e.message));
  }
  return status_response(api::make_internal_error_status(e.message));
}

} // namespace podvisor::kube::apiserver
