#pragma once
// Errors as values for the store. The common/ library's error type is being written in
// parallel; until the two meet, the store keeps this small local pair (an enum code and a
// message) so that it depends on nothing but the standard library, nlohmann and SQLite.
// The codes map one to one onto the Kubernetes Status reasons the HTTP layer sends.

#include <array>
#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "kube/api/enum_table.hpp"

namespace podvisor::kube::apiserver {

/// Why a store operation failed.
enum class store_errc {
  not_found,      ///< no object under the key (HTTP 404 NotFound)
  already_exists, ///< create of a key that exists (HTTP 409 AlreadyExists)
  conflict,       ///< a resourceVersion or uid precondition does not hold (HTTP 409 Conflict)
  gone,           ///< a watch asked for history older than the retained window (HTTP 410 Expired)
  invalid,        ///< the object text or key is malformed (HTTP 422 Invalid / 400 BadRequest)
  io_error,       ///< SQLite or the file system failed; nothing was written (HTTP 500)
};

/// A failed operation: the code and a one-line message for humans.
struct store_error {
  store_errc code = store_errc::io_error;
  std::string message;
};

/// The value of a successful operation or its error (a minimal std::expected).
/// Thread safety: a plain value; not synchronized.
template <class T>
class [[nodiscard]] store_result {
public:
  store_result(T value) : value_(std::in_place_index<0>, std::move(value)) {} // NOLINT: implicit
  store_result(store_error error) : value_(std::in_place_index<1>, std::move(error)) {} // NOLINT

  /// True when the operation succeeded.
  bool has_value() const { return value_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  /// The value; only valid when `has_value()`.
  T& value() & {
    assert(has_value() && "store_result::value() on an error");
    return std::get<0>(value_);
  }
  const T& value() const& {
    assert(has_value() && "store_result::value() on an error");
    return std::get<0>(value_);
  }
  T&& value() && {
    assert(has_value() && "store_result::value() on an error");
    return std::get<0>(std::move(value_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error; only valid when `!has_value()`.
  const store_error& error() const {
    assert(!has_value() && "store_result::error() on a value");
    return std::get<1>(value_);
  }
  /// The error code, for tests and dispatch (`r.code() == store_errc::conflict`).
  store_errc code() const { return error().code; }

private:
  std::variant<T, store_error> value_;
};

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::store_errc> {
  using e = podvisor::kube::apiserver::store_errc;
  static constexpr std::array entries = {
    enum_entry{e::not_found, "not_found"},   enum_entry{e::already_exists, "already_exists"},
    enum_entry{e::conflict, "conflict"},     enum_entry{e::gone, "gone"},
    enum_entry{e::invalid, "invalid"},       enum_entry{e::io_error, "io_error"},
  };
};
