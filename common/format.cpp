#include "common/format.hpp"

#include <charconv>
#include <system_error>

namespace podvisor {

namespace detail {

void append_value(std::string& out, bool x) {
  out += x ? "true" : "false";
}

void append_value(std::string& out, char x) {
  out += x;
}

void append_value(std::string& out, long long x) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  out.append(buf, end);
}

void append_value(std::string& out, unsigned long long x) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  out.append(buf, end);
}

void append_value(std::string& out, double x) {
  // Shortest form that reads back to the same double; 32 bytes hold any of them.
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  if (ec != std::errc{})
    out += "{!double}";
  else
    out.append(buf, end);
}

void append_value(std::string& out, std::string_view x) {
  out += x;
}

void append_value(std::string& out, const char* x) {
  out += x != nullptr ? std::string_view{x} : std::string_view{"(null)"};
}

} // namespace detail

void vformat_to(std::string& out, std::string_view fmt, std::span<const format_arg> args) {
  out.reserve(out.size() + fmt.size() + 16 * args.size());
  std::size_t next = 0;
  for (std::size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    bool has_next = i + 1 < fmt.size();
    if (c == '{' && has_next && fmt[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && has_next && fmt[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{' && has_next && fmt[i + 1] == '}') {
      if (next < args.size()) {
        args[next].append(out, args[next].value);
        ++next;
      } else {
        out += "{!missing}";
      }
      ++i;
    } else {
      out += c; // a lone brace is kept as written
    }
  }
  if (next < args.size()) {
    out += " {!extra: ";
    for (std::size_t k = next; k < args.size(); ++k) {
      if (k != next)
        out += ", ";
      args[k].append(out, args[k].value);
    }
    out += '}';
  }
}

} // namespace podvisor
