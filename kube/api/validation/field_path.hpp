#pragma once
// Building blocks shared by every validator: a field path that reads like the Go
// `field.NewPath("spec").Child("domain").Index(0)`, and constructors for each kind of
// field error, so that a rule is one line and every message has the same shape.
//
// Paths are rendered by the codec's own helpers (detail::child_path and friends), so a
// decode error and a validation error about the same field name it the same way.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/field_error.hpp"

namespace podvisor::kube::api {

/// An immutable field path such as `spec.domain.devices.disks[1].name`.
class field_path {
public:
  field_path() = default;
  /// A root path (`"spec"`, `"metadata"`).
  explicit field_path(std::string root) : path_(std::move(root)) {}

  /// `a.b` — one or more nested members.
  template <class... Names>
  field_path child(std::string_view name, Names... more) const {
    field_path out{detail::child_path(path_, name)};
    if constexpr (sizeof...(more) == 0)
      return out;
    else
      return out.child(more...);
  }

  /// `a[3]` — an element of a list.
  field_path index(std::size_t i) const { return field_path{detail::index_path(path_, i)}; }

  /// `a[key]` — an entry of a map.
  field_path key(std::string_view k) const { return field_path{detail::key_path(path_, k)}; }

  /// The rendered path.
  const std::string& str() const { return path_; }

  friend bool operator==(const field_path&, const field_path&) = default;

private:
  std::string path_;
};

// Constructors named after apimachinery's field.Required, field.Invalid, ... Values are
// passed already rendered (quote() for strings, render_int() for numbers) because that is
// what field_error stores.

/// "Required value", with an optional detail.
inline field_error field_required(const field_path& path, std::string detail = {}) {
  return {field_error_type::required, path.str(), {}, std::move(detail)};
}

/// "Invalid value: <value>: <detail>".
inline field_error field_invalid(const field_path& path, std::string rendered_value,
                                 std::string detail) {
  return {field_error_type::invalid, path.str(), std::move(rendered_value), std::move(detail)};
}

/// "Unsupported value: <value>: supported values: <list>"; `supported` is the quoted,
/// comma-separated list (see supported_values<E>()).
inline field_error field_unsupported(const field_path& path, std::string rendered_value,
                                     std::string_view supported) {
  return {field_error_type::unsupported, path.str(), std::move(rendered_value),
          "supported values: " + std::string(supported)};
}

/// "Duplicate value: <value>".
inline field_error field_duplicate(const field_path& path, std::string rendered_value) {
  return {field_error_type::duplicate, path.str(), std::move(rendered_value), {}};
}

/// "Not found: <value>".
inline field_error field_not_found(const field_path& path, std::string rendered_value) {
  return {field_error_type::not_found, path.str(), std::move(rendered_value), {}};
}

/// "Forbidden: <detail>".
inline field_error field_forbidden(const field_path& path, std::string detail) {
  return {field_error_type::forbidden, path.str(), {}, std::move(detail)};
}

/// "Too long: may not be more than <n> bytes", worded as field.TooLong does.
inline field_error field_too_long(const field_path& path, std::size_t max_bytes) {
  return {field_error_type::too_long, path.str(), {},
          "may not be more than " + std::to_string(max_bytes) + (max_bytes == 1 ? " byte" : " bytes")};
}

/// A number rendered as Go's %v would.
inline std::string render_int(std::int64_t value) { return std::to_string(value); }

/// Reports an enum field whose wire string is set but not a known spelling. Unset fields
/// pass: whether a value is required is the caller's rule, not the enum's.
template <table_enum E>
void check_enum(const enum_field<E>& value, const field_path& path, field_errors& errors) {
  if (value.empty() || value.known())
    return;
  errors.push_back(field_unsupported(path, quote(value.raw()), supported_values<E>()));
}

/// Appends `more` to `errors`.
inline void append_errors(field_errors& errors, field_errors more) {
  errors.insert(errors.end(), std::make_move_iterator(more.begin()),
                std::make_move_iterator(more.end()));
}

} // namespace podvisor::kube::api
