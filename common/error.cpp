#include "common/error.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>

namespace podvisor {

namespace {

// Indexed by the numeric value; a test checks that every entry round-trips.
constexpr std::array<std::string_view, errc_count> errc_names = {
  "none",       "invalid_argument", "not_found", "already_exists", "conflict",
  "gone",       "forbidden",        "unauthorized", "unavailable",  "timeout",
  "io_error",   "parse_error",      "unsupported",  "internal",     "cancelled",
  "resource_exhausted",
};

static_assert(static_cast<std::size_t>(errc::resource_exhausted) + 1 == errc_count,
              "errc_count and errc_names must list every errc");

} // namespace

std::string_view to_string(errc code) {
  auto index = static_cast<std::size_t>(code);
  return index < errc_names.size() ? errc_names[index] : std::string_view{"unknown"};
}

std::optional<errc> parse_errc(std::string_view name) {
  for (std::size_t i = 0; i < errc_names.size(); ++i)
    if (errc_names[i] == name)
      return static_cast<errc>(i);
  return std::nullopt;
}

std::optional<errc> errc_from_code(std::uint8_t code) {
  if (code < errc_count)
    return static_cast<errc>(code);
  return std::nullopt;
}

error error::with_context(std::string_view what) const {
  error result = *this;
  if (what.empty())
    return result;
  std::string ctx{what};
  if (!context.empty()) {
    ctx += ": ";
    ctx += context;
  }
  result.context = std::move(ctx);
  return result;
}

std::string error::to_string() const {
  std::string out;
  if (!context.empty()) {
    out += context;
    out += ": ";
  }
  out += podvisor::to_string(code);
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

namespace detail {

void check_failed(const char* expr, const char* why, const char* file, int line) {
  // stderr directly: the logging facade may be what is broken.
  std::fprintf(stderr, "%s:%d: check failed: %s (%s)\n", file, line, expr, why);
  std::fflush(stderr);
  std::abort();
}

} // namespace detail

} // namespace podvisor
