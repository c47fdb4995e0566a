#pragma once
// metav1.Status: the body of every API error response (and of some successful deletes).
// Clients (kubectl, client-go) read `reason` and `code` to classify failures and
// `details.causes` to point at the offending fields, so the builders below produce
// exactly the shapes the Kubernetes API machinery produces.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/field_error.hpp"
#include "kube/api/meta.hpp"

namespace podvisor::kube::api {

/// metav1.Status "status": the outcome of the operation.
enum class status_outcome { success, failure };

template <>
struct enum_table<status_outcome> {
  static constexpr std::array entries = {
    enum_entry{status_outcome::success, "Success"},
    enum_entry{status_outcome::failure, "Failure"},
  };
};

/// metav1.StatusCause: one reason the operation failed, usually tied to a field.
struct status_cause {
  /// Go's CauseType, written as "reason": FieldValueInvalid, FieldValueRequired, ...
  std::string reason;
  std::string message;
  std::string field;
  unknown_fields unknown;
  bool operator==(const status_cause&) const = default;
};

template <class F>
void describe(F& f, status_cause& x) {
  f("reason", x.reason, {.doc = "Machine-readable cause, e.g. FieldValueInvalid."});
  f("message", x.message, {.doc = "Human-readable description of the cause."});
  f("field", x.field, {.doc = "Path of the field that caused the error, e.g. spec.containers[0].name."});
}

/// metav1.StatusDetails.
struct status_details {
  std::string name;
  std::string group;
  std::string kind;
  std::string uid;
  std::vector<status_cause> causes;
  std::int32_t retry_after_seconds = 0;
  unknown_fields unknown;
  bool operator==(const status_details&) const = default;
};

template <class F>
void describe(F& f, status_details& x) {
  f("name", x.name, {.doc = "Name of the object the status is about."});
  f("group", x.group, {.doc = "API group of the object."});
  f("kind", x.kind, {.doc = "Kind (or resource) of the object."});
  f("uid", x.uid, {.doc = "UID of the object."});
  f("causes", x.causes, {.doc = "Individual causes of the failure."});
  f("retryAfterSeconds", x.retry_after_seconds, {.doc = "Seconds a client should wait before retrying."});
}

/// metav1.Status.
struct status {
  std::string api_version = "v1";
  std::string kind = "Status";
  /// Always written, as `"metadata": {}`, the way the API server sends it.
  list_meta metadata;
  /// The wire field "status"; named for what it holds, since `status.status` would read badly.
  enum_field<status_outcome> outcome;
  std::string message;
  /// StatusReason: NotFound, AlreadyExists, Conflict, Invalid, ... (open-ended upstream).
  std::string reason;
  std::optional<status_details> details;
  /// The HTTP status code the response carries.
  std::int32_t code = 0;
  unknown_fields unknown;
  bool operator==(const status&) const = default;
};

template <class F>
void describe(F& f, status& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: Status."});
  f("metadata", x.metadata, {.required = true, .doc = "Standard list metadata."});
  f("status", x.outcome, {.doc = "Success or Failure."});
  f("message", x.message, {.doc = "Human-readable description of the outcome."});
  f("reason", x.reason, {.doc = "Machine-readable CamelCase reason for a failure."});
  f("details", x.details, {.doc = "Extra data about the failure, shaped by the reason."});
  f("code", x.code, {.doc = "HTTP status code of the response."});
}

/// The CauseType Kubernetes uses for a field error type ("FieldValueInvalid", ...).
std::string_view cause_type(field_error_type type);

/// The error's message without its leading field path (Go's Error.ErrorBody).
std::string error_body(const field_error& error);

/// "VirtualMachineInstance.kubevirt.io" (or just "Pod" for the core group): the qualified
/// kind or resource name used in messages.
std::string qualified_name(std::string_view name, std::string_view group);

/// 422 Invalid, as apierrors.NewInvalid builds it: one cause per error, and the message
/// `<Kind>[.<group>] "<name>" is invalid: <errors>` with the error messages deduplicated,
/// bracketed and comma-separated when there is more than one.
status make_invalid_status(std::string_view group, std::string_view kind, std::string_view name,
                           const field_errors& errors);

/// 404 NotFound, as apierrors.NewNotFound: `pods "web" not found`.
status make_not_found_status(std::string_view group, std::string_view resource, std::string_view name);

/// 409 AlreadyExists, as apierrors.NewAlreadyExists: `pods "web" already exists`.
status make_already_exists_status(std::string_view group, std::string_view resource, std::string_view name);

/// 409 Conflict, as apierrors.NewConflict:
/// `Operation cannot be fulfilled on pods "web": <why>`.
status make_conflict_status(std::string_view group, std::string_view resource, std::string_view name,
                            std::string_view why);

/// 400 BadRequest with a free-form message, as apierrors.NewBadRequest.
status make_bad_request_status(std::string_view message);

/// 500 InternalError, as apierrors.NewInternalError: `Internal error occurred: <why>`.
status make_internal_error_status(std::string_view why);

} // namespace podvisor::kube::api
