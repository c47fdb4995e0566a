#include "kube/api/timestamp.hpp"

#include <cstdio>
#include <ctime>

namespace podvisor::kube::api {

namespace {

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size())
    return false;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

} // namespace

std::optional<timestamp> parse_timestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !read_digits(text, 0, 4, year) || text[4] != '-'
      || !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day)
      || (text[10] != 'T' && text[10] != 't') || !read_digits(text, 11, 2, hour)
      || text[13] != ':' || !read_digits(text, 14, 2, minute) || text[16] != ':'
      || !read_digits(text, 17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23
      || minute > 59 || second > 60)
    return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: about 1678 to 2262. Refuse what it cannot
  // hold instead of overflowing (found by the fuzzer).
  if (year < min_timestamp_year || year > max_timestamp_year)
    return std::nullopt;
  std::size_t pos = 19;
  long long nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9)
        nanos = nanos * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0)
      return std::nullopt;
    for (std::size_t i = digits; i < 9; ++i)
      nanos *= 10;
  }
  int offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':'
        || !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size())
    return std::nullopt;
  // Days since the epoch from the civil date (proleptic Gregorian).
  std::chrono::year_month_day ymd{std::chrono::year{year},
                                  std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  auto days = std::chrono::sys_days{ymd};
  auto tp = std::chrono::time_point_cast<std::chrono::system_clock::duration>(
    days + std::chrono::hours{hour} + std::chrono::minutes{minute} + std::chrono::seconds{second}
    - std::chrono::seconds{offset_seconds}
    + std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds{nanos}));
  return timestamp{tp};
}

namespace {
std::string format_with(const timestamp& t, bool micro) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t.time);
  auto days = floor<std::chrono::days>(secs);
  year_month_day ymd{days};
  hh_mm_ss hms{secs - days};
  char buf[48];
  if (micro) {
    auto us = duration_cast<microseconds>(t.time - secs).count();
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%06ldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                  static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()),
                  static_cast<long>(us));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                  static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()));
  }
  return buf;
}
} // namespace

std::string format_timestamp(const timestamp& t) {
  return format_with(t, false);
}

std::string format_micro_timestamp(const timestamp& t) {
  return format_with(t, true);
}

bool json_leaf<timestamp>::decode(const json& j, timestamp& out, std::string& why) {
  if (!j.is_string()) {
    why = "must be an RFC 3339 date-time string";
    return false;
  }
  auto parsed = parse_timestamp(j.get_ref<const std::string&>());
  if (!parsed) {
    why = "must be an RFC 3339 date-time between the years 1678 and 2261, e.g. \"2024-05-01T12:00:00Z\"";
    return false;
  }
  out = *parsed;
  return true;
}

} // namespace podvisor::kube::api
