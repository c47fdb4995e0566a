#include "kube/apiserver/resources/humanize.hpp"

#include <cstdint>

#include "kube/api/timestamp.hpp"

namespace podvisor::kube::apiserver {

namespace {

std::string str(std::int64_t n, const char* unit) {
  return std::to_string(n) + unit;
}

std::string str2(std::int64_t a, const char* unit_a, std::int64_t b, const char* unit_b) {
  return std::to_string(a) + unit_a + std::to_string(b) + unit_b;
}

} // namespace

std::string human_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  // duration_cast truncates toward zero as Go's int(d.Seconds()) does, so -1.5 s is -1 s.
  auto seconds = duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1)
    return "<invalid>";
  if (seconds < 0)
    return "0s";
  if (seconds < 60 * 2)
    return str(seconds, "s");
  auto minutes = duration_cast<std::chrono::minutes>(d).count();
  if (minutes < 10) {
    auto s = seconds % 60;
    return s == 0 ? str(minutes, "m") : str2(minutes, "m", s, "s");
  }
  if (minutes < 60 * 3)
    return str(minutes, "m");
  auto hours = duration_cast<std::chrono::hours>(d).count();
  if (hours < 8) {
    auto m = minutes % 60;
    return m == 0 ? str(hours, "h") : str2(hours, "h", m, "m");
  }
  if (hours < 48)
    return str(hours, "h");
  if (hours < 24 * 8) {
    auto h = hours % 24;
    return h == 0 ? str(hours / 24, "d") : str2(hours / 24, "d", h, "h");
  }
  if (hours < 24 * 365 * 2)
    return str(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    auto dy = (hours / 24) % 365;
    return dy == 0 ? str(hours / 24 / 365, "y") : str2(hours / 24 / 365, "y", dy, "d");
  }
  return str(hours / 24 / 365, "y");
}

std::string short_human_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  auto seconds = duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1)
    return "<invalid>";
  if (seconds < 0)
    return "0s";
  if (seconds < 60)
    return str(seconds, "s");
  auto minutes = duration_cast<std::chrono::minutes>(d).count();
  if (minutes < 60)
    return str(minutes, "m");
  auto hours = duration_cast<std::chrono::hours>(d).count();
  if (hours < 24)
    return str(hours, "h");
  if (hours < 24 * 365)
    return str(hours / 24, "d");
  return str(hours / 24 / 365, "y");
}

std::string age_since_rfc3339(std::string_view rfc3339, std::chrono::system_clock::time_point now) {
  // Go's zero time (0001-01-01T00:00:00Z, how some clients encode an unset metav1.Time)
  // and the Unix epoch both mean "not set". The zero time is recognised by its text: it
  // lies outside the range of a nanosecond system_clock.
  if (rfc3339.starts_with("0001-01-01T00:00:00"))
    return "<unknown>";
  auto t = api::parse_timestamp(rfc3339);
  if (!t || t->time.time_since_epoch().count() == 0)
    return "<unknown>";
  return human_duration(now - t->time);
}

std::string age_since(const nlohmann::json& value, std::chrono::system_clock::time_point now) {
  if (!value.is_string())
    return "<unknown>";
  return age_since_rfc3339(value.get_ref<const std::string&>(), now);
}

} // namespace podvisor::kube::apiserver
