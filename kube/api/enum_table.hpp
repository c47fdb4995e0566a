#pragma once
// String tables for API enums. Every enum that appears in the API has one, so that the
// JSON codec, validation ("supported values: ...") and the OpenAPI schema all read the
// same list. Specialize `enum_table<E>` next to the enum:
//
//   template <> struct enum_table<disk_bus> {
//     static constexpr std::array entries = {
//       enum_entry{disk_bus::virtio, "virtio"}, enum_entry{disk_bus::sata, "sata"}, ...};
//   };

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace podvisor::kube::api {

/// One enumerator and its wire spelling.
template <class E>
struct enum_entry {
  E value;
  std::string_view name;
};

// Lets `enum_entry{e::x, "x"}` deduce E on compilers without aggregate CTAD (clang 14,
// which builds the fuzzers).
template <class E>
enum_entry(E, std::string_view) -> enum_entry<E>;

/// Specialized for every API enum; `entries` lists every enumerator once.
template <class E>
struct enum_table;

/// True for enums that have a string table.
template <class E>
concept table_enum = requires { enum_table<E>::entries; };

/// The wire spelling of `value` (empty if the table lacks it, which a test rules out).
template <table_enum E>
constexpr std::string_view to_string(E value) {
  for (const auto& entry : enum_table<E>::entries)
    if (entry.value == value)
      return entry.name;
  return {};
}

/// Parses a wire spelling; case-sensitive, as Kubernetes is.
template <table_enum E>
constexpr std::optional<E> parse_enum(std::string_view name) {
  for (const auto& entry : enum_table<E>::entries)
    if (entry.name == name)
      return entry.value;
  return std::nullopt;
}

/// `"a", "b", "c"` — the list Kubernetes prints after "supported values:" (sorted, as Go does).
template <table_enum E>
std::string supported_values() {
  constexpr auto n = enum_table<E>::entries.size();
  std::array<std::string_view, n> names{};
  for (std::size_t i = 0; i < n; ++i)
    names[i] = enum_table<E>::entries[i].name;
  for (std::size_t i = 1; i < n; ++i) // insertion sort: tiny, constexpr-friendly
    for (std::size_t j = i; j > 0 && names[j] < names[j - 1]; --j)
      std::swap(names[j], names[j - 1]);
  std::string out;
  for (auto name : names) {
    if (!out.empty())
      out += ", ";
    out += '"';
    out += name;
    out += '"';
  }
  return out;
}

/// A string-valued API field whose known values form an enum. The wire string is kept as
/// it came (an unknown value survives a read-modify-write, as in Go where these are plain
/// strings); `value()` gives the typed enumerator, and validation rejects unknown ones.
template <table_enum E>
class enum_field {
public:
  enum_field() = default;
  enum_field(E value) : raw_(to_string(value)) {} // NOLINT: implicit on purpose

  /// The enumerator, or nothing when unset or not a known spelling.
  std::optional<E> value() const { return parse_enum<E>(raw_); }
  /// The wire string exactly as read or set.
  const std::string& raw() const { return raw_; }
  void set_raw(std::string raw) { raw_ = std::move(raw); }
  bool empty() const { return raw_.empty(); }
  /// True when set and a known spelling.
  bool known() const { return value().has_value(); }

  bool operator==(E other) const { return value() == other; }
  friend bool operator==(const enum_field&, const enum_field&) = default;

private:
  std::string raw_;
};

} // namespace podvisor::kube::api
