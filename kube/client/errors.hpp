#pragma once
// Classifying API server answers at the client boundary, so that callers branch on an
// `errc` and never on HTTP codes:
//   404 → not_found, 409 AlreadyExists → already_exists, 409 Conflict → conflict,
//   410 → gone, 400/422 → invalid_argument (422: the message lists every field cause,
//   "spec.x: Invalid value: ..."), 401 → unauthorized, 403 → forbidden,
//   429 / 503 / 504 / connection failures → unavailable, request timeouts → timeout,
//   413 → resource_exhausted, 415 / 405 → unsupported, other 5xx → unavailable,
//   anything unexpected → internal.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::client {

/// One entry of Status.details.causes.
struct status_cause {
  std::string type;    ///< "FieldValueInvalid"
  std::string field;   ///< "spec.domain.cpu.cores"
  std::string message;
};

/// A parsed metav1.Status (whatever of it was present).
struct api_status {
  int code = 0;
  std::string reason;
  std::string message;
  std::vector<status_cause> causes;
};

/// Parses a Status body; a body that is not a Status gives {code = http_status}.
api_status parse_status(std::string_view body, int http_status);

/// The error for an HTTP answer that is not a success: the code per the table above;
/// the message is Status.message (with the causes appended for 422), or the HTTP
/// status when the body says nothing.
error classify(int http_status, std::string_view body);

/// Whether retrying later may succeed (unavailable, timeout, conflict is NOT included:
/// a conflict needs a re-read first).
bool is_transient(const error& e);

} // namespace podvisor::kube::client
