#pragma once
// One rule for every enum in a spec: a string-valued enum field whose value is set but not
// a known spelling is "Unsupported value", listing the supported ones. The walk uses the
// same `describe` functions as the codec, so a field added to a type is covered without
// touching validation. Status is never walked (phases and reasons are reported by
// controllers, not chosen by users).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/validation/field_path.hpp"

namespace podvisor::kube::api {

namespace detail {

class enum_checker {
public:
  enum_checker(const field_path& path, field_errors& errors) : path_(path), errors_(errors) {}

  template <class M>
  void operator()(std::string_view name, M& member, field_options = {}) {
    visit(member, path_.child(name));
  }

  template <class T>
  void visit(const T& value, const field_path& path) {
    if constexpr (is_enum_field<T>::value) {
      check_enum(value, path, errors_);
    } else if constexpr (is_optional<T>::value) {
      if (value)
        visit(*value, path);
    } else if constexpr (is_vector<T>::value) {
      for (std::size_t i = 0; i < value.size(); ++i)
        visit(value[i], path.index(i));
    } else if constexpr (is_string_map<T>::value) {
      for (const auto& [key, item] : value)
        visit(item, path.key(key));
    } else if constexpr (described<T> && !leaf_type<T>) {
      enum_checker nested{path, errors_};
      // describe() takes a mutable reference so one function serves decoding too; this
      // visitor only reads through it.
      describe(nested, const_cast<T&>(value));
    }
    // strings, numbers, raw JSON and leaf types hold no enums
  }

private:
  field_path path_;
  field_errors& errors_;
};

} // namespace detail

/// Reports every enum field under `value` (a described struct, or an optional, list or
/// map of them) that is set to an unknown spelling, with its full path.
template <class T>
void check_enums(const T& value, const field_path& path, field_errors& errors) {
  detail::enum_checker checker{path, errors};
  checker.visit(value, path);
}

} // namespace podvisor::kube::api
