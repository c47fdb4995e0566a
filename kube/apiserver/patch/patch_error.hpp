#pragma once
// Errors as values for the patch library: a code that maps one to one onto a Kubernetes
// Status reason and HTTP status, and the message the API server puts in the Status body.

#include <array>
#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "kube/api/enum_table.hpp"

namespace podvisor::kube::apiserver {

/// Why a patch could not be applied; each value is one Status reason.
enum class patch_errc {
  bad_request,              ///< malformed body or directive (400 BadRequest)
  not_found,                ///< nothing to patch and the patch type cannot create (404 NotFound)
  conflict,                 ///< reserved for preconditions (409 Conflict)
  request_entity_too_large, ///< too many JSON patch operations (413 RequestEntityTooLarge)
  unsupported_media_type,   ///< unknown Content-Type, or strategic merge on a custom kind (415)
  invalid,                  ///< well-formed patch that cannot apply or breaks the object (422 Invalid)
};

/// The HTTP status code of a patch error code.
constexpr int http_status(patch_errc code) {
  switch (code) {
    case patch_errc::bad_request: return 400;
    case patch_errc::not_found: return 404;
    case patch_errc::conflict: return 409;
    case patch_errc::request_entity_too_large: return 413;
    case patch_errc::unsupported_media_type: return 415;
    case patch_errc::invalid: return 422;
  }
  return 500;
}

/// A failed patch: the code and the Status message.
struct patch_error {
  patch_errc code = patch_errc::bad_request;
  std::string message;

  /// 400, 404, 409, 413, 415 or 422.
  int http_code() const { return http_status(code); }
  /// "BadRequest", "Invalid", ... (metav1.StatusReason).
  std::string_view reason() const;

  friend bool operator==(const patch_error&, const patch_error&) = default;
};

/// A value or a patch error (a minimal std::expected).
/// Thread safety: a plain value; not synchronized.
template <class T>
class [[nodiscard]] patch_result {
public:
  patch_result(T value) : value_(std::in_place_index<0>, std::move(value)) {} // NOLINT: implicit
  patch_result(patch_error error) : value_(std::in_place_index<1>, std::move(error)) {} // NOLINT

  /// True when the patch applied.
  bool has_value() const { return value_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  /// The value; only valid when `has_value()`.
  T& value() & {
    assert(has_value() && "patch_result::value() on an error");
    return std::get<0>(value_);
  }
  const T& value() const& {
    assert(has_value() && "patch_result::value() on an error");
    return std::get<0>(value_);
  }
  T&& value() && {
    assert(has_value() && "patch_result::value() on an error");
    return std::get<0>(std::move(value_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// The error; only valid when `!has_value()`.
  const patch_error& error() const {
    assert(!has_value() && "patch_result::error() on a value");
    return std::get<1>(value_);
  }

private:
  std::variant<T, patch_error> value_;
};

/// Shorthands for building errors.
inline patch_error bad_request_error(std::string message) {
  return {patch_errc::bad_request, std::move(message)};
}
inline patch_error invalid_error(std::string message) {
  return {patch_errc::invalid, std::move(message)};
}

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::patch_errc> {
  // The Kubernetes StatusReason of each code.
  using e = podvisor::kube::apiserver::patch_errc;
  static constexpr std::array entries = {
    enum_entry{e::bad_request, "BadRequest"},
    enum_entry{e::not_found, "NotFound"},
    enum_entry{e::conflict, "Conflict"},
    enum_entry{e::request_entity_too_large, "RequestEntityTooLarge"},
    enum_entry{e::unsupported_media_type, "UnsupportedMediaType"},
    enum_entry{e::invalid, "Invalid"},
  };
};

namespace podvisor::kube::apiserver {

/// "BadRequest", "Invalid", ... (metav1.StatusReason) of a patch error.
inline std::string_view patch_error::reason() const { return api::to_string(code); }

} // namespace podvisor::kube::apiserver
