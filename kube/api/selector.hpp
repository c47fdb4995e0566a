#pragma once
// Label and field selectors: the `labelSelector` and `fieldSelector` query parameters of
// list and watch requests, and metav1.LabelSelector (pod anti-affinity, claims) turned
// into the same matcher. Parsing follows k8s.io/apimachinery rule for rule, including its
// error messages, because kubectl prints them verbatim:
//
//   labels (pkg/labels):   <selector>    ::= <requirement> ( "," <requirement> )*
//                          <requirement> ::= [!] KEY [ ("in" | "notin") "(" VALUES ")"
//                                                    | ("=" | "==" | "!=" | ">" | "<") VALUE ]
//     Whitespace (' ', '\t', '\r', '\n') may separate tokens; "in" and "notin" are values
//     where a value is expected ("notin=in" is fine). Keys must be qualified names, values
//     label values; ">" and "<" need integers. `x in ()` means the set {""}.
//
//   fields (pkg/fields):   <term> ( "," <term> )*,  <term> ::= FIELD ("=" | "==" | "!=") VALUE
//     Terms may come in any order. In a value, `\,`, `\=` and `\\` stand for the character
//     itself; any other backslash sequence, and an unescaped '=', is an error. No
//     whitespace is trimmed (Go does not either). Which fields exist depends on the kind:
//     see `field_selector_fields`.
//
// Matching never allocates per object beyond what the lookup needs; a matcher is a plain
// value, safe to share between threads for reading.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api/core/label_selector.hpp"
#include "kube/api/enum_table.hpp"

namespace podvisor::kube::api {

/// A set of labels (metadata.labels).
using label_set = std::map<std::string, std::string>;

/// selection.Operator: how a label requirement relates its key and values.
enum class selector_operator {
  equals,         ///< `k=v`
  double_equals,  ///< `k==v` (same meaning as equals, kept for printing)
  not_equals,     ///< `k!=v`: absent, or present with another value
  in,             ///< `k in (a,b)`: present with one of the values
  not_in,         ///< `k notin (a,b)`: absent, or present with none of the values
  exists,         ///< `k`
  does_not_exist, ///< `!k`
  greater_than,   ///< `k>3`: present, an integer, and greater
  less_than,      ///< `k<3`: present, an integer, and smaller
};

template <>
struct enum_table<selector_operator> {
  // Go's selection.Operator spellings.
  static constexpr std::array entries = {
    enum_entry{selector_operator::equals, "="},
    enum_entry{selector_operator::double_equals, "=="},
    enum_entry{selector_operator::not_equals, "!="},
    enum_entry{selector_operator::in, "in"},
    enum_entry{selector_operator::not_in, "notin"},
    enum_entry{selector_operator::exists, "exists"},
    enum_entry{selector_operator::does_not_exist, "!"},
    enum_entry{selector_operator::greater_than, "gt"},
    enum_entry{selector_operator::less_than, "lt"},
  };
};

/// One condition on one label (labels.Requirement).
struct label_requirement {
  std::string key;
  selector_operator op = selector_operator::exists;
  /// Sorted and without duplicates (Go keeps a set); empty for exists/does_not_exist.
  std::vector<std::string> values;

  /// True when `labels` satisfy this requirement.
  bool matches(const label_set& labels) const;
  /// The canonical text: `k in (a,b)`, `!k`, `k!=v`, ...
  std::string to_string() const;

  friend bool operator==(const label_requirement&, const label_requirement&) = default;
};

/// A parsed label selector: every requirement must hold. The default value selects
/// everything; `nothing()` selects nothing (what a nil metav1.LabelSelector means).
class label_matcher {
public:
  /// Selects everything.
  label_matcher() = default;

  /// Selects nothing (labels.Nothing()).
  static label_matcher nothing();

  /// Parses the `labelSelector` syntax like labels.Parse. On failure returns nothing and,
  /// when `why` is given, stores apimachinery's message there, e.g.
  /// `unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt`.
  static std::optional<label_matcher> parse(std::string_view text, std::string* why = nullptr);

  /// metav1.LabelSelectorAsSelector: matchLabels and matchExpressions ANDed; an empty
  /// selector selects everything. (A missing selector selects nothing: use `nothing()`.)
  /// Invalid keys, values or operators fail with apimachinery's message in `why`.
  static std::optional<label_matcher> from_label_selector(const label_selector& selector,
                                                          std::string* why = nullptr);

  /// labels.SelectorFromSet: `k=v` for every entry, without validation.
  static label_matcher from_set(const label_set& labels);

  /// True when the labels satisfy every requirement.
  bool matches(const label_set& labels) const;

  /// Matches the `metadata.labels` of an API object (non-string label values, which a
  /// valid object never has, are ignored).
  bool matches_object(const nlohmann::json& object) const;

  /// True when the matcher selects everything.
  bool empty() const { return !nothing_ && requirements_.empty(); }

  /// True for `nothing()`.
  bool selects_nothing() const { return nothing_; }

  /// The requirements, sorted by key (stable, as parsed).
  const std::vector<label_requirement>& requirements() const { return requirements_; }

  /// The value `key` must have when the selector pins it to one (`k=v`, `k==v`,
  /// `k in (v)`), as RequiresExactMatch; lets a server narrow a list before matching.
  std::optional<std::string> requires_exact_match(std::string_view key) const;

  /// The canonical text (Go's String()): requirements by key, values sorted.
  std::string to_string() const;

private:
  std::vector<label_requirement> requirements_;
  bool nothing_ = false;
};

/// One field condition (fields.Requirement). `==` is stored as equality.
struct field_requirement {
  std::string field;
  bool negated = false; ///< `!=`
  std::string value;    ///< unescaped

  friend bool operator==(const field_requirement&, const field_requirement&) = default;
};

/// A parsed field selector: every term must hold. The default value selects everything.
/// Values come from the object through the per-kind field table (`field_value`).
class field_matcher {
public:
  /// Selects everything.
  field_matcher() = default;

  /// Parses like fields.ParseSelector (syntax only; fields are checked by `supports`).
  /// On failure returns nothing and stores apimachinery's message in `why`, e.g.
  /// `invalid selector: 'a'; can't understand 'a'`.
  static std::optional<field_matcher> parse(std::string_view text, std::string* why = nullptr);

  /// Parses and checks every field against the kind's table: an unknown field fails with
  /// `field label not supported: X` (what the API server answers with 400).
  static std::optional<field_matcher> parse_for_kind(std::string_view text, std::string_view kind,
                                                     std::string* why = nullptr);

  /// True when every field is selectable for `kind`; otherwise stores the
  /// `field label not supported: X` message in `why`.
  bool supports(std::string_view kind, std::string* why = nullptr) const;

  /// True when the object of the given kind satisfies every term. A term on a field the
  /// kind does not support never matches (check with `supports` first).
  bool matches(const nlohmann::json& object, std::string_view kind) const;

  /// True when the matcher selects everything.
  bool empty() const { return requirements_.empty(); }

  /// The terms, in the order Go keeps them (sorted by their text).
  const std::vector<field_requirement>& requirements() const { return requirements_; }

  /// The value `field` must equal when a term pins it (`f=v`), as RequiresExactMatch.
  std::optional<std::string> requires_exact_match(std::string_view field) const;

  /// The canonical text, values escaped: `metadata.name=a\,b,spec.nodeName!=n1`.
  std::string to_string() const;

private:
  std::vector<field_requirement> requirements_;
};

/// fields.EscapeValue: `\` → `\\`, `,` → `\,`, `=` → `\=`.
std::string escape_field_value(std::string_view value);

/// The fields selectable for `kind` ("Pod", "Event", "Node", ...), sorted. Every kind has
/// metadata.name and metadata.namespace.
std::vector<std::string_view> field_selector_fields(std::string_view kind);

/// The value of a selectable field of an object, as the API server compares it (absent
/// strings are "", booleans "true"/"false", pod defaults applied); nothing when the kind
/// does not support the field.
std::optional<std::string> field_value(const nlohmann::json& object, std::string_view kind,
                                       std::string_view field);

} // namespace podvisor::kube::api
