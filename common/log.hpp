#pragma once
// The logging facade every Podvisor process uses (CAF's own logging is compiled out in
// Debian's build). A line names its component and the object it is about first:
//
//   2024-05-01T12:00:00.412Z info  [agent vm default/web-1] domain started in 412 ms
//
// or, with `--log-format=json`, one JSON object per line:
//
//   {"ts":"2024-05-01T12:00:00.412Z","level":"info","component":"agent",
//    "object":"vm default/web-1","msg":"domain started in 412 ms"}
//
// Levels are set at run time, globally and per component, from specs such as "debug" or
// "info,agent=debug,kube=warn" (the --log-level flag, or PODVISOR_LOG). A disabled level
// costs one relaxed atomic load: arguments are formatted only when the line is written.
// Every line reaches the sink in one call (the default sink does one write(2) to stderr),
// so lines from different threads never interleave.
//
//   log::logger lg{"agent", "vm default/web-1"};
//   lg.info("domain started in {} ms", 412);

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/format.hpp"

namespace podvisor::log {

/// Severity, lowest first. A component logs a line when its level is >= the threshold.
enum class level : std::uint8_t {
  trace, ///< step-by-step detail for chasing a bug (every message, every retry)
  debug, ///< decisions and state transitions worth seeing while developing
  info,  ///< what an operator wants in the log by default (started, stopped, migrated)
  warn,  ///< something went wrong but was handled (a retry, a fallback)
  error, ///< something failed and needs attention (a VM failed, a write was lost)
  off,   ///< threshold only: nothing is logged
};

/// "trace", "debug", "info", "warn", "error", "off".
std::string_view to_string(level l);
/// Parses the names `to_string` gives.
std::optional<level> parse_level(std::string_view name);

/// How lines are written.
enum class output_format : std::uint8_t {
  text, ///< `ts level [component object] message`
  json, ///< one JSON object per line (ts, level, component, object, msg)
};

/// "text", "json".
std::string_view to_string(output_format f);
/// Parses the names `to_string` gives.
std::optional<output_format> parse_output_format(std::string_view name);

/// A parsed level spec such as "info,agent=debug,kube=warn".
struct level_spec {
  /// Threshold for components without their own (a bare level in the spec; info if none).
  level default_level = level::info;
  /// Per-component thresholds, in spec order (a later entry for a name wins).
  std::vector<std::pair<std::string, level>> components;

  friend bool operator==(const level_spec&, const level_spec&) = default;
};

/// Parses a comma-separated spec: bare levels set the default, `component=level` sets
/// one component. Whitespace around items is ignored; an empty spec is an error.
expected<level_spec> parse_level_spec(std::string_view spec);

/// Replaces the whole level configuration: the default and every per-component override.
void configure(const level_spec& spec);

/// Parses and applies `spec`; on error nothing changes.
error configure(std::string_view spec);

/// Applies PODVISOR_LOG (a level spec) and PODVISOR_LOG_FORMAT ("text" or "json") when
/// set and not empty. On an invalid value nothing changes and the error says which.
error configure_from_env();

/// Sets the default threshold; per-component overrides stay.
void set_level(level l);
/// The default threshold.
level default_level();
/// Gives `component` its own threshold.
void set_component_level(std::string_view component, level l);
/// Makes `component` follow the default threshold again.
void clear_component_level(std::string_view component);
/// The threshold in effect for `component`.
level effective_level(std::string_view component);

/// Selects text or JSON lines.
void set_output_format(output_format f);
/// The format in effect.
output_format current_output_format();

/// Receives complete lines, each ending in '\n'. Calls are serialized by the facade, so
/// a sink need not be thread-safe; it must not log itself.
using sink = std::function<void(std::string_view line)>;

/// Replaces the sink; an empty function restores the default (stderr).
void set_sink(sink s);

/// Timestamps come from `c` (a manual_clock in tests); nullptr restores the real clock.
/// The clock must outlive its use here.
void set_clock(const clock* c);

/// Back to the defaults: level info, no overrides, text, stderr, real clock.
void reset();

/// Formats one line exactly as the facade writes it (including the trailing '\n').
std::string format_line(output_format f, clock::wall_time ts, level l, std::string_view component,
                        std::string_view object, std::string_view message);

/// RFC 3339 in UTC with milliseconds: "2024-05-01T12:00:00.412Z".
std::string format_rfc3339_ms(clock::wall_time ts);

namespace detail {
struct component_state;
} // namespace detail

/// A logger bound to a component ("agent", "kube", "launcher") and optionally to the
/// object its lines are about ("vm default/web-1"). Cheap to copy; thread-safe.
class logger {
public:
  /// A logger for the component "podvisor" (so that actor state stays default-constructible).
  logger();
  /// A logger for `component` about `object` (which may be empty).
  explicit logger(std::string_view component, std::string object = {});

  /// A logger for the same component about another object.
  logger with_object(std::string object) const;

  const std::string& component() const { return component_; }
  const std::string& object() const { return object_; }

  /// True when a line at `l` would be written right now.
  bool enabled(level l) const;

  /// Formats (see common/format.hpp) and writes a line at `l`, if enabled.
  template <class... Ts>
  void log(level l, std::string_view fmt, const Ts&... xs) const {
    if (!enabled(l))
      return;
    write(l, podvisor::format(fmt, xs...));
  }

  template <class... Ts>
  void trace(std::string_view fmt, const Ts&... xs) const { log(level::trace, fmt, xs...); }
  template <class... Ts>
  void debug(std::string_view fmt, const Ts&... xs) const { log(level::debug, fmt, xs...); }
  template <class... Ts>
  void info(std::string_view fmt, const Ts&... xs) const { log(level::info, fmt, xs...); }
  template <class... Ts>
  void warn(std::string_view fmt, const Ts&... xs) const { log(level::warn, fmt, xs...); }
  template <class... Ts>
  void error(std::string_view fmt, const Ts&... xs) const { log(level::error, fmt, xs...); }

  /// Writes an already formatted message at `l`, unconditionally (callers check enabled()).
  void write(level l, std::string_view message) const;

private:
  std::string component_;
  std::string object_;
  const detail::component_state* state_;
};

} // namespace podvisor::log
