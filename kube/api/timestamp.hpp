#pragma once
// metav1.Time: an RFC 3339 instant, written in UTC with second precision
// ("2024-05-01T12:00:00Z") as Kubernetes writes it.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "kube/api/codec.hpp"

namespace podvisor::kube::api {

/// A point in time as the Kubernetes API carries it (seconds resolution on the wire).
struct timestamp {
  std::chrono::system_clock::time_point time{};
  bool operator==(const timestamp&) const = default;
  auto operator<=>(const timestamp&) const = default;
};

/// The years a timestamp may fall in: what a 64-bit nanosecond clock can represent.
inline constexpr int min_timestamp_year = 1678;
inline constexpr int max_timestamp_year = 2261;

/// Parses RFC 3339 (`2024-05-01T12:00:00Z`, fractional seconds and `+02:00` offsets too).
std::optional<timestamp> parse_timestamp(std::string_view text);

/// Formats as Kubernetes does: UTC, seconds, trailing `Z`.
std::string format_timestamp(const timestamp& t);

/// Formats with microseconds (metav1.MicroTime, used by Leases and Events).
std::string format_micro_timestamp(const timestamp& t);

template <>
struct json_leaf<timestamp> {
  static bool decode(const json& j, timestamp& out, std::string& why);
  static json encode(const timestamp& value) { return format_timestamp(value); }
  static bool empty(const timestamp& value) { return value.time.time_since_epoch().count() == 0; }
  static json schema() { return {{"type", "string"}, {"format", "date-time"}}; }
};

} // namespace podvisor::kube::api
