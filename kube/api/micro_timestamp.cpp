#include "kube/api/micro_timestamp.hpp"

namespace podvisor::kube::api {

std::optional<micro_timestamp> parse_micro_timestamp(std::string_view text) {
  auto parsed = parse_timestamp(text);
  if (!parsed)
    return std::nullopt;
  // floor, not round: the digits beyond the sixth are simply not part of a MicroTime.
  return micro_timestamp{std::chrono::floor<std::chrono::microseconds>(parsed->time)};
}

std::string format_micro_timestamp(const micro_timestamp& t) {
  return format_micro_timestamp(timestamp{t.time});
}

bool json_leaf<micro_timestamp>::decode(const json& j, micro_timestamp& out, std::string& why) {
  if (!j.is_string()) {
    why = "must be an RFC 3339 date-time string";
    return false;
  }
  auto parsed = parse_micro_timestamp(j.get_ref<const std::string&>());
  if (!parsed) {
    why = "must be an RFC 3339 date-time, e.g. \"2024-05-01T12:00:00.000000Z\"";
    return false;
  }
  out = *parsed;
  return true;
}

} // namespace podvisor::kube::api
