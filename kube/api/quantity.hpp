#pragma once
// resource.Quantity: the fixed-point numbers Kubernetes uses for CPU, memory and storage
// ("500m", "1Gi", "1.5G", "1e3"). Parsing and canonical printing follow
// k8s.io/apimachinery/pkg/api/resource (ParseQuantity, CanonicalizeBytes) rule for rule:
//
//   <quantity> ::= <sign>? <digits> ( "." <digits>? )? <suffix>      ("1.", ".5" are fine)
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei                        BinarySI (powers of 2^10)
//               |  n | u | m | "" | k | M | G | T | P | E            DecimalSI (powers of 10^3)
//               |  (e | E) <signed integer>                          DecimalExponent
//
// The suffix family is remembered and used again when printing. Values are rounded up
// (away from zero) to nano precision; BinarySI values are capped at 2^63-1 in magnitude,
// as Kubernetes does. Canonical form: no fractional digits, the largest suffix that loses
// nothing ("1.5G" -> "1500M", "1024Mi" -> "1Gi", "0.1" -> "100m"); BinarySI values below
// 1024 in magnitude or not whole numbers are printed as DecimalSI ("0.5Ki" -> "512").
//
// Representation: a 128-bit magnitude, a sign and a base-10 exponent, which holds every
// quantity with at most 38 significant digits exactly (Go uses arbitrary precision; a
// quantity needing more digits is refused with a clear error instead of being rounded).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"

namespace podvisor::kube::api {

/// The three ways of writing a quantity; a parsed quantity keeps the one it was written in.
enum class quantity_format {
  binary_si,        ///< "12Mi" (12 * 2^20)
  decimal_si,       ///< "12M" (12 * 10^6); also plain numbers and "m", "n", "u"
  decimal_exponent, ///< "12e6"
};

template <>
struct enum_table<quantity_format> {
  static constexpr std::array entries = {
    enum_entry{quantity_format::binary_si, "BinarySI"},
    enum_entry{quantity_format::decimal_si, "DecimalSI"},
    enum_entry{quantity_format::decimal_exponent, "DecimalExponent"},
  };
};

/// A Kubernetes resource quantity. Comparison is by value: "1Gi" == "1073741824".
class quantity {
public:
  /// Kubernetes' own message for text that is not a quantity at all (ErrFormatWrong).
  static constexpr std::string_view format_error =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

  /// Zero, DecimalSI.
  quantity() = default;

  /// Parses like resource.ParseQuantity. On failure returns nothing and, if `why` is given,
  /// stores Kubernetes' error text there. No surrounding whitespace is accepted.
  static std::optional<quantity> parse(std::string_view text, std::string* why = nullptr);

  /// `value` units in the given format (resource.NewQuantity).
  static quantity from_int(std::int64_t value, quantity_format format);
  /// `value` thousandths in the given format (resource.NewMilliQuantity).
  static quantity from_milli(std::int64_t value, quantity_format format);

  /// The canonical string, as CanonicalizeBytes computes it. Go's String() instead echoes
  /// some inputs verbatim when they took its parse fast path ("+1k", "01k", "1E3",
  /// "1.001"; kubernetes/kubernetes#138165); here the output is always canonical.
  std::string to_string() const;

  /// The value rounded up (away from zero) to a whole number, like Quantity.Value().
  /// Saturates at the int64 limits where Go would silently overflow.
  std::int64_t value() const { return scaled_value(0); }
  /// ceil(value * 1000) away from zero, like Quantity.MilliValue(); saturates likewise.
  std::int64_t milli_value() const { return scaled_value(-3); }
  /// ceil(value / 10^scale) away from zero, like Quantity.ScaledValue; saturates likewise.
  std::int64_t scaled_value(int scale) const;

  bool is_zero() const { return magnitude_ == 0; }
  /// -1, 0 or 1.
  int sign() const { return magnitude_ == 0 ? 0 : (negative_ ? -1 : 1); }
  /// The format the quantity was written in (and will be printed in, where possible).
  quantity_format format() const { return format_; }

  /// Value comparison, ignoring the format (Quantity.Cmp).
  friend std::strong_ordering operator<=>(const quantity& a, const quantity& b);
  friend bool operator==(const quantity& a, const quantity& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }

private:
  __extension__ using uint128 = unsigned __int128;

  quantity(uint128 magnitude, std::int64_t exponent, bool negative, quantity_format format);
  void normalize();

  // value = (negative_ ? -1 : 1) * magnitude_ * 10^exponent_. Normalized: magnitude_ has no
  // trailing decimal zeros, and zero is stored as {0, 0, positive}.
  uint128 magnitude_ = 0;
  std::int64_t exponent_ = 0;
  bool negative_ = false;
  quantity_format format_ = quantity_format::decimal_si;
};

/// JSON form: Kubernetes accepts a string or a number ("int-or-string") and always writes
/// the canonical string. A non-pointer Quantity is never omitted by Go's encoder (not even
/// when zero), so `empty` is always false; use std::optional for `*resource.Quantity`.
template <>
struct json_leaf<quantity> {
  static bool decode(const json& j, quantity& out, std::string& why);
  static json encode(const quantity& value) { return value.to_string(); }
  static bool empty(const quantity&) { return false; }
  static json schema() {
    return {{"anyOf", json::array({{{"type", "integer"}}, {{"type", "string"}}})},
            {"x-kubernetes-int-or-string", true}};
  }
};

} // namespace podvisor::kube::api
