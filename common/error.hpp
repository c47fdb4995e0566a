#pragma once
// Errors as values, shared by every library: a small closed set of codes (`errc`) that
// callers branch on (retry? report? give up?), a human-readable message for people, and
// `expected<T>` for functions that return a value or an error. No exceptions cross a
// library boundary. protocols/error.hpp maps these to and from `caf::error`, so an actor
// can reply with one and the requester gets the same code and message back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace podvisor {

/// What went wrong, coarsely enough that a caller can decide what to do. The numeric
/// values travel over the network inside `caf::error` (8 bits): append, never reorder.
enum class errc : std::uint8_t {
  /// Not an error: the success value of `error`.
  none = 0,
  /// The caller passed something malformed or out of range; retrying will not help.
  invalid_argument,
  /// The named object does not exist (HTTP 404, a missing file, an unknown domain).
  not_found,
  /// Creating something that exists already (HTTP 409 AlreadyExists).
  already_exists,
  /// A concurrent change won: stale resourceVersion, a lost update; re-read and retry.
  conflict,
  /// The thing existed but is gone for good: an expired watch resourceVersion (HTTP 410),
  /// a terminated VM; start over from a fresh list.
  gone,
  /// Authenticated but not allowed (HTTP 403, EPERM/EACCES).
  forbidden,
  /// Credentials missing or rejected (HTTP 401, a failed TLS client check).
  unauthorized,
  /// The peer or service cannot serve now (connection refused, HTTP 503, an actor that
  /// is down); retry with backoff.
  unavailable,
  /// A deadline passed before an answer came; the operation may or may not have happened.
  timeout,
  /// Reading or writing a file, socket or device failed.
  io_error,
  /// Input could not be decoded (JSON, YAML, XML, a DHCP packet, a quantity).
  parse_error,
  /// Valid but not supported by this build or host (a device model, KVM absent).
  unsupported,
  /// A bug or a broken invariant on our side, including uncaught exceptions in actors.
  internal,
  /// The operation was stopped on purpose (shutdown, an aborted migration).
  cancelled,
  /// A limit was reached: quota, disk space, too many migrations, rate limiting.
  resource_exhausted,
};

/// Number of `errc` values; `errc` values are exactly 0 .. errc_count - 1.
inline constexpr std::size_t errc_count = 16;

/// The snake_case name of `code` ("not_found"); "unknown" for a value outside the enum.
std::string_view to_string(errc code);

/// Parses the name `to_string` gives; nothing for an unknown name.
std::optional<errc> parse_errc(std::string_view name);

/// Converts a number received from elsewhere (8-bit wire code) to an `errc`, if valid.
std::optional<errc> errc_from_code(std::uint8_t code);

/// An error value: a code to branch on and a message for people. `errc::none` means
/// success, so a function with nothing to return can return `error` directly.
struct error {
  /// What kind of failure; `none` for success.
  errc code = errc::none;
  /// What failed, for people: "vmi default/x", "lease file /run/x: disk full".
  std::string message;
  /// Optional: what we were doing when it failed ("sync vmi default/x"), outermost first,
  /// joined with ": " by `with_context`. Empty when the message says it all.
  std::string context;

  error() = default;
  error(errc c, std::string msg = {}, std::string ctx = {})
      : code(c), message(std::move(msg)), context(std::move(ctx)) {}

  /// True when this is not an error (code == none).
  bool ok() const { return code == errc::none; }
  /// True when this *is* an error, like `caf::error` and `std::error_code`.
  explicit operator bool() const { return !ok(); }

  /// Returns a copy with `what` prepended to the context ("what: old context").
  error with_context(std::string_view what) const;

  /// `context: code: message`, leaving out empty parts; "none" for success.
  std::string to_string() const;

  friend bool operator==(const error&, const error&) = default;
  /// Compares the code only: `if (e == errc::not_found)`.
  friend bool operator==(const error& e, errc c) { return e.code == c; }
};

/// ADL hook so that formatters and tests print errors (`error::to_string`).
inline std::string to_string(const error& e) {
  return e.to_string();
}

namespace detail {
/// Reports a violated precondition (file:line, the check, and why) and aborts. Always
/// active, also with NDEBUG: a wrong-side access to `expected` must never be silent UB.
[[noreturn]] void check_failed(const char* expr, const char* why, const char* file, int line);
} // namespace detail

} // namespace podvisor

/// Like assert(cond && why), but also active in release builds.
#define PODVISOR_CHECK(cond, why)                                                        \
  ((cond) ? static_cast<void>(0) : ::podvisor::detail::check_failed(#cond, why, __FILE__, __LINE__))

namespace podvisor {

/// A value or an error, for functions that can fail (LLVM's Expected, C++23's
/// std::expected). Reading the side that is not there aborts with a message, in every
/// build type. Holding an `error` whose code is `none` is a programming error.
template <class T>
class expected {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, ::podvisor::error>,
                "expected<error> is ambiguous; return error instead");
  static_assert(!std::is_reference_v<T>, "expected<T&> is not supported");

public:
  /// A success value.
  expected(T value) : data_(std::in_place_index<0>, std::move(value)) {} // NOLINT: implicit on purpose

  /// A failure; `e.code` must not be `none`.
  expected(::podvisor::error e) : data_(std::in_place_index<1>, std::move(e)) { // NOLINT
    PODVISOR_CHECK(!std::get<1>(data_).ok(), "expected constructed from a success error");
  }

  /// A failure from a code and message.
  expected(errc code, std::string message) : expected(::podvisor::error{code, std::move(message)}) {}

  /// True when a value is held.
  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  /// The value; aborts if this holds an error.
  T& value() & {
    PODVISOR_CHECK(has_value(), "expected::value() called on an error");
    return std::get<0>(data_);
  }
  const T& value() const& {
    PODVISOR_CHECK(has_value(), "expected::value() called on an error");
    return std::get<0>(data_);
  }
  T&& value() && {
    PODVISOR_CHECK(has_value(), "expected::value() called on an error");
    return std::get<0>(std::move(data_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The value, or `fallback` when this holds an error.
  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(data_) : static_cast<T>(std::forward<U>(fallback));
  }

  /// The error; aborts if this holds a value.
  const ::podvisor::error& error() const& {
    PODVISOR_CHECK(!has_value(), "expected::error() called on a value");
    return std::get<1>(data_);
  }
  ::podvisor::error&& error() && {
    PODVISOR_CHECK(!has_value(), "expected::error() called on a value");
    return std::get<1>(std::move(data_));
  }

  /// The error, or a success `error` when a value is held (never aborts).
  ::podvisor::error error_or_ok() const { return has_value() ? ::podvisor::error{} : std::get<1>(data_); }

private:
  std::variant<T, ::podvisor::error> data_;
};

} // namespace podvisor
