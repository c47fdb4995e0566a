#pragma once
// A tiny `{}` formatter, because g++ 12 has no <format>. Each `{}` takes the next
// argument; `{{` and `}}` are literal braces; nothing else (no widths or precision).
// Mistakes never cause undefined behaviour, they show up in the text instead:
//
//   format("{} of {}", 1)      -> "1 of {!missing}"
//   format("{}", 1, 2, "x")    -> "1 {!extra: 2, x}"
//
// Supported arguments: bool, char, integers (signed/unsigned char print as numbers),
// floating point (shortest round-trip form), C strings (nullptr prints "(null)"),
// std::string, std::string_view, and any type with an ADL-visible `to_string(x)` that
// returns something convertible to std::string_view or std::string (Podvisor's enums and
// `error`, for instance).

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace podvisor {

namespace detail {

void append_value(std::string& out, bool x);
void append_value(std::string& out, char x);
void append_value(std::string& out, long long x);
void append_value(std::string& out, unsigned long long x);
void append_value(std::string& out, double x);
void append_value(std::string& out, std::string_view x);
void append_value(std::string& out, const char* x);

/// Types the formatter reaches through an ADL `to_string`.
template <class T>
concept has_adl_to_string = requires(const T& x) {
  { to_string(x) } -> std::convertible_to<std::string_view>;
} || requires(const T& x) {
  { to_string(x) } -> std::convertible_to<std::string>;
};

/// Appends one argument of type T; the overload set above does the work.
template <class T>
void append_erased(std::string& out, const void* ptr) {
  const T& x = *static_cast<const T*>(ptr);
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, char>)
    append_value(out, x);
  else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
    append_value(out, static_cast<long long>(x));
  else if constexpr (std::is_integral_v<T>)
    append_value(out, static_cast<unsigned long long>(x));
  else if constexpr (std::is_floating_point_v<T>)
    append_value(out, static_cast<double>(x));
  else if constexpr (std::is_same_v<T, const char*> || std::is_same_v<T, char*>)
    append_value(out, static_cast<const char*>(x)); // before string_view: may be nullptr
  else if constexpr (std::is_convertible_v<const T&, std::string_view>)
    append_value(out, std::string_view{x});
  else if constexpr (has_adl_to_string<T>) {
    const auto& text = to_string(x);
    append_value(out, std::string_view{text});
  } else
    static_assert(sizeof(T) == 0, "podvisor::format: unsupported argument type");
}

/// Prints a char array (a string literal, or a fixed buffer: stops at N or at the first NUL).
template <std::size_t N>
void append_char_array(std::string& out, const void* ptr) {
  const char* text = static_cast<const char*>(ptr);
  std::size_t len = 0;
  while (len < N && text[len] != '\0')
    ++len;
  append_value(out, std::string_view{text, len});
}

} // namespace detail

/// One type-erased argument: a pointer to the caller's value and how to print it. Lives
/// only as long as the full expression that created it.
struct format_arg {
  const void* value;
  void (*append)(std::string&, const void*);
};

/// Erases one argument.
template <class T>
format_arg make_format_arg(const T& x) {
  if constexpr (std::is_array_v<T>) {
    static_assert(std::is_same_v<std::remove_cv_t<std::remove_extent_t<T>>, char>,
                  "podvisor::format: only char arrays are supported");
    return {x, &detail::append_char_array<std::extent_v<T>>};
  } else {
    return {&x, &detail::append_erased<T>};
  }
}

/// Appends `fmt` with its `{}` placeholders replaced by `args` to `out`.
void vformat_to(std::string& out, std::string_view fmt, std::span<const format_arg> args);

/// Formats `fmt` with `xs` (see the top of this file for the rules).
template <class... Ts>
std::string format(std::string_view fmt, const Ts&... xs) {
  const format_arg args[sizeof...(Ts) + 1] = {make_format_arg(xs)..., format_arg{nullptr, nullptr}};
  std::string out;
  vformat_to(out, fmt, std::span<const format_arg>{args, sizeof...(Ts)});
  return out;
}

} // namespace podvisor
