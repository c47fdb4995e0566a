#include "common/log.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

namespace podvisor::log {

namespace {

constexpr std::array<std::string_view, 6> level_names = {"trace", "debug", "info", "warn", "error", "off"};
constexpr std::array<std::string_view, 2> format_names = {"text", "json"};

} // namespace

std::string_view to_string(level l) {
  auto i = static_cast<std::size_t>(l);
  return i < level_names.size() ? level_names[i] : std::string_view{"unknown"};
}

std::optional<level> parse_level(std::string_view name) {
  for (std::size_t i = 0; i < level_names.size(); ++i)
    if (level_names[i] == name)
      return static_cast<level>(i);
  return std::nullopt;
}

std::string_view to_string(output_format f) {
  auto i = static_cast<std::size_t>(f);
  return i < format_names.size() ? format_names[i] : std::string_view{"unknown"};
}

std::optional<output_format> parse_output_format(std::string_view name) {
  for (std::size_t i = 0; i < format_names.size(); ++i)
    if (format_names[i] == name)
      return static_cast<output_format>(i);
  return std::nullopt;
}

namespace detail {

// One per component name, created on first use and never freed, so loggers can hold a
// plain pointer and check their threshold with one atomic load.
struct component_state {
  std::atomic<level> threshold{level::info};
  std::optional<level> own; // guarded by registry::mutex
};

} // namespace detail

namespace {

void write_stderr(std::string_view line) {
  // One write(2) per line (retrying only a partial write or EINTR), so concurrent lines
  // from several threads or processes sharing stderr stay whole.
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; // nowhere left to report it
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

struct registry {
  std::mutex mutex; // guards components, default_level, and every component's `own`
  std::map<std::string, std::unique_ptr<detail::component_state>, std::less<>> components;
  level default_threshold = level::info;

  std::mutex sink_mutex; // serializes lines into the sink
  sink out;              // empty: stderr

  std::atomic<output_format> format{output_format::text};
  std::atomic<const clock*> time{nullptr};

  detail::component_state& state_locked(std::string_view name) {
    auto it = components.find(name);
    if (it == components.end()) {
      auto state = std::make_unique<detail::component_state>();
      state->threshold.store(default_threshold, std::memory_order_relaxed);
      it = components.emplace(std::string{name}, std::move(state)).first;
    }
    return *it->second;
  }

  void refresh_locked() {
    for (auto& [name, state] : components)
      state->threshold.store(state->own.value_or(default_threshold), std::memory_order_relaxed);
  }
};

registry& reg() {
  // Leaked on purpose: loggers in static objects may write during exit.
  static registry* instance = new registry;
  return *instance;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

void append_two(std::string& out, unsigned v) {
  out += static_cast<char>('0' + v / 10 % 10);
  out += static_cast<char>('0' + v % 10);
}

// Appends `s` as the inside of a JSON string. Control characters are escaped and bytes
// that are not valid UTF-8 become U+FFFD, so every line parses as JSON.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
      }
      ++i;
      continue;
    }
    // Length and minimum value of a multi-byte sequence (rejects overlongs, surrogates
    // and code points above U+10FFFF).
    std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    bool valid = len != 0 && i + len <= s.size();
    std::uint32_t cp = len == 4 ? c & 0x07u : len == 3 ? c & 0x0fu : c & 0x1fu;
    for (std::size_t k = 1; valid && k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      valid = (cc & 0xc0) == 0x80;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    if (valid && len == 3)
      valid = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
    if (valid && len == 4)
      valid = cp >= 0x10000 && cp <= 0x10ffff;
    if (valid) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
}

// Text lines stay one line: line breaks inside a message are shown as \n and \r.
void append_text_message(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
}

} // namespace

expected<level_spec> parse_level_spec(std::string_view spec) {
  level_spec result;
  bool any = false;
  while (!spec.empty() || !any) {
    auto comma = spec.find(',');
    std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    if (item.empty()) {
      if (spec.empty() && !any)
        return error{errc::invalid_argument, "empty log level spec"};
      continue;
    }
    any = true;
    auto eq = item.find('=');
    std::string_view name = eq == std::string_view::npos ? std::string_view{} : trim(item.substr(0, eq));
    std::string_view value = eq == std::string_view::npos ? item : trim(item.substr(eq + 1));
    auto l = parse_level(value);
    if (!l)
      return error{errc::invalid_argument,
                   podvisor::format("unknown log level \"{}\" (supported: trace, debug, info, warn, error, off)", value)};
    if (eq == std::string_view::npos)
      result.default_level = *l;
    else if (name.empty())
      return error{errc::invalid_argument, podvisor::format("missing component name in \"{}\"", item)};
    else
      result.components.emplace_back(std::string{name}, *l);
  }
  return result;
}

void configure(const level_spec& spec) {
  auto& r = reg();
  std::lock_guard guard{r.mutex};
  r.default_threshold = spec.default_level;
  for (auto& [name, state] : r.components)
    state->own.reset();
  for (const auto& [name, l] : spec.components)
    r.state_locked(name).own = l;
  r.refresh_locked();
}

error configure(std::string_view spec) {
  auto parsed = parse_level_spec(spec);
  if (!parsed)
    return parsed.error();
  configure(*parsed);
  return {};
}

error configure_from_env() {
  const char* levels = std::getenv("PODVISOR_LOG");
  const char* fmt = std::getenv("PODVISOR_LOG_FORMAT");
  std::optional<level_spec> spec;
  std::optional<output_format> f;
  if (levels != nullptr && *levels != '\0') {
    auto parsed = parse_level_spec(levels);
    if (!parsed)
      return parsed.error().with_context("PODVISOR_LOG");
    spec = std::move(*parsed);
  }
  if (fmt != nullptr && *fmt != '\0') {
    f = parse_output_format(fmt);
    if (!f)
      return {errc::invalid_argument, podvisor::format("unknown log format \"{}\" (supported: text, json)", fmt),
              "PODVISOR_LOG_FORMAT"};
  }
  if (spec)
    configure(*spec);
  if (f)
    set_output_format(*f);
  return {};
}

void set_level(level l) {
  auto& r = reg();
  std::lock_guard guard{r.mutex};
  r.default_threshold = l;
  r.refresh_locked();
}

level default_level() {
  auto& r = reg();
  std::lock_guard guard{r.mutex};
  return r.default_threshold;
}

void set_component_level(std::string_view component, level l) {
  auto& r = reg();
  std::lock_guard guard{r.mutex};
  auto& state = r.state_locked(component);
  state.own = l;
  state.threshold.store(l, std::memory_order_relaxed);
}

void clear_component_level(std::string_view component) {
  auto& r = reg();
  std::lock_guard guard{r.mutex};
  auto& state = r.state_locked(component);
  state.own.reset();
  state.threshold.store(r.default_threshold, std::memory_order_relaxed);
}

level effective_level(std::string_view component) {
  auto& r = reg();
  std::lock_guard guard{r.mutex};
  return r.state_locked(component).threshold.load(std::memory_order_relaxed);
}

void set_output_format(output_format f) {
  reg().format.store(f, std::memory_order_relaxed);
}

output_format current_output_format() {
  return reg().format.load(std::memory_order_relaxed);
}

void set_sink(sink s) {
  auto& r = reg();
  std::lock_guard guard{r.sink_mutex};
  r.out = std::move(s);
}

void set_clock(const clock* c) {
  reg().time.store(c, std::memory_order_release);
}

void reset() {
  configure(level_spec{});
  set_output_format(output_format::text);
  set_sink({});
  set_clock(nullptr);
}

std::string format_rfc3339_ms(clock::wall_time ts) {
  using namespace std::chrono;
  auto ms = floor<milliseconds>(ts);
  auto day = floor<days>(ms);
  year_month_day ymd{day};
  hh_mm_ss hms{ms - day};
  std::string out;
  out.reserve(24);
  int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999)
    y = y < 0 ? 0 : 9999; // RFC 3339 has four-digit years
  append_two(out, static_cast<unsigned>(y / 100));
  append_two(out, static_cast<unsigned>(y % 100));
  out += '-';
  append_two(out, static_cast<unsigned>(ymd.month()));
  out += '-';
  append_two(out, static_cast<unsigned>(ymd.day()));
  out += 'T';
  append_two(out, static_cast<unsigned>(hms.hours().count()));
  out += ':';
  append_two(out, static_cast<unsigned>(hms.minutes().count()));
  out += ':';
  append_two(out, static_cast<unsigned>(hms.seconds().count()));
  out += '.';
  auto milli = static_cast<unsigned>(hms.subseconds().count());
  out += static_cast<char>('0' + milli / 100);
  append_two(out, milli % 100);
  out += 'Z';
  return out;
}

std::string format_line(output_format f, clock::wall_time ts, level l, std::string_view component,
                        std::string_view object, std::string_view message) {
  std::string line;
  line.reserve(64 + component.size() + object.size() + message.size());
  if (f == output_format::json) {
    line += "{\"ts\":\"";
    line += format_rfc3339_ms(ts);
    line += "\",\"level\":\"";
    line += to_string(l);
    line += "\",\"component\":\"";
    append_json_string(line, component);
    line += "\",\"object\":\"";
    append_json_string(line, object);
    line += "\",\"msg\":\"";
    append_json_string(line, message);
    line += "\"}\n";
    return line;
  }
  line += format_rfc3339_ms(ts);
  line += ' ';
  auto name = to_string(l);
  line += name;
  line.append(name.size() < 5 ? 6 - name.size() : 1, ' '); // align the bracket
  line += '[';
  append_text_message(line, component);
  if (!object.empty()) {
    line += ' ';
    append_text_message(line, object);
  }
  line += "] ";
  append_text_message(line, message);
  line += '\n';
  return line;
}

logger::logger() : logger("podvisor") {}

logger::logger(std::string_view component, std::string object)
    : component_(component), object_(std::move(object)) {
  auto& r = reg();
  std::lock_guard guard{r.mutex};
  state_ = &r.state_locked(component_);
}

logger logger::with_object(std::string object) const {
  logger copy = *this;
  copy.object_ = std::move(object);
  return copy;
}

bool logger::enabled(level l) const {
  return l != level::off && l >= state_->threshold.load(std::memory_order_relaxed);
}

void logger::write(level l, std::string_view message) const {
  auto& r = reg();
  const clock* c = r.time.load(std::memory_order_acquire);
  auto now = c != nullptr ? c->wall_now() : real_clock::instance().wall_now();
  auto line = format_line(r.format.load(std::memory_order_relaxed), now, l, component_, object_, message);
  std::lock_guard guard{r.sink_mutex};
  if (r.out)
    r.out(line);
  else
    write_stderr(line);
}

} // namespace podvisor::log
