#pragma once
// metav1.MicroTime: an RFC 3339 instant written in UTC with exactly six fractional digits
// ("2024-05-01T12:00:00.123456Z"). Leases and events.k8s.io-style Events carry it; a lease
// renewed several times a second needs the extra precision that metav1.Time lacks.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "kube/api/codec.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// A point in time with microsecond resolution on the wire.
struct micro_timestamp {
  std::chrono::system_clock::time_point time{};
  bool operator==(const micro_timestamp&) const = default;
  auto operator<=>(const micro_timestamp&) const = default;
};

/// Parses any RFC 3339 instant (as Go's time.Parse does for MicroTime) and keeps
/// microseconds; finer digits are dropped so that decoding what we encoded gives back the
/// same value.
std::optional<micro_timestamp> parse_micro_timestamp(std::string_view text);

/// Formats as Kubernetes does: UTC, six fractional digits, trailing `Z`.
std::string format_micro_timestamp(const micro_timestamp& t);

template <>
struct json_leaf<micro_timestamp> {
  static bool decode(const json& j, micro_timestamp& out, std::string& why);
  static json encode(const micro_timestamp& value) { return format_micro_timestamp(value); }
  static bool empty(const micro_timestamp& value) { return value.time.time_since_epoch().count() == 0; }
  static json schema() { return {{"type", "string"}, {"format", "date-time"}}; }
};

} // namespace podvisor::kube::api
