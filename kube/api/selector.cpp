// Label selector requirements (labels.NewRequirement and its validation), matching and
// printing, and metav1.LabelSelector conversion. The text parser is label_parser.cpp.

#include "kube/api/selector.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "kube/api/field_error.hpp"
#include "kube/api/selector_detail.hpp"
#include "kube/api/validation/names.hpp"

namespace podvisor::kube::api {

namespace {

// ---------------------------------------------------------------------------------------
// Requirements and their validation (NewRequirement)

// strconv.ParseInt(s, 10, 64).
std::optional<std::int64_t> parse_go_int64(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty())
    return std::nullopt;
  std::uint64_t magnitude = 0;
  constexpr std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(c - '0');
    if (magnitude > limit)
      return std::nullopt;
  }
  if (!negative && magnitude == limit)
    return std::nullopt;
  if (negative)
    return magnitude == limit ? std::numeric_limits<std::int64_t>::min()
                              : -static_cast<std::int64_t>(magnitude);
  return static_cast<std::int64_t>(magnitude);
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0)
      out += sep; // by position: empty values are joined too ("x in (,a)")
    out += parts[i];
  }
  return out;
}

// `%#v` of a []string as field.Error prints it.
std::string go_string_slice(const std::vector<std::string>& values) {
  if (values.empty())
    return "[]string(nil)";
  std::string out = "[]string{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out += ", ";
    out += quote(values[i]);
  }
  out += '}';
  return out;
}

// utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated in brackets.
std::string aggregate(const field_errors& errors) {
  std::vector<std::string> seen;
  for (const auto& e : errors) {
    auto msg = e.message();
    if (std::find(seen.begin(), seen.end(), msg) == seen.end())
      seen.push_back(std::move(msg));
  }
  if (seen.size() == 1)
    return seen.front();
  return "[" + join(seen, ", ") + "]";
}

} // namespace

namespace detail {

// labels.NewRequirement with a nil path: every problem with key, operator and values.
std::optional<label_requirement> new_label_requirement(std::string key, selector_operator op,
                                                       std::vector<std::string> values, std::string& why) {
  field_errors errors;
  if (auto errs = is_qualified_name(key); !errs.empty())
    errors.push_back({field_error_type::invalid, "key", quote(key), join(errs, "; ")});
  switch (op) {
    case selector_operator::in:
    case selector_operator::not_in:
      if (values.empty())
        errors.push_back({field_error_type::invalid, "values", go_string_slice(values),
                          "for 'in', 'notin' operators, values set can't be empty"});
      break;
    case selector_operator::equals:
    case selector_operator::double_equals:
    case selector_operator::not_equals:
      if (values.size() != 1)
        errors.push_back({field_error_type::invalid, "values", go_string_slice(values),
                          "exact-match compatibility requires one single value"});
      break;
    case selector_operator::exists:
    case selector_operator::does_not_exist:
      if (!values.empty())
        errors.push_back({field_error_type::invalid, "values", go_string_slice(values),
                          "values set must be empty for exists and does not exist"});
      break;
    case selector_operator::greater_than:
    case selector_operator::less_than:
      if (values.size() != 1)
        errors.push_back({field_error_type::invalid, "values", go_string_slice(values),
                          "for 'Gt', 'Lt' operators, exactly one value is required"});
      for (std::size_t i = 0; i < values.size(); ++i)
        if (!parse_go_int64(values[i]))
          errors.push_back({field_error_type::invalid, "values[" + std::to_string(i) + "]",
                            quote(values[i]), "for 'Gt', 'Lt' operators, the value must be an integer"});
      break;
  }
  for (std::size_t i = 0; i < values.size(); ++i)
    if (auto errs = is_label_value(values[i]); !errs.empty())
      errors.push_back({field_error_type::invalid, "values[" + std::to_string(i) + "][" + key + "]",
                        quote(values[i]), join(errs, "; ")});
  if (!errors.empty()) {
    why = aggregate(errors);
    return std::nullopt;
  }
  sort_unique(values);
  return label_requirement{std::move(key), op, std::move(values)};
}

// validateLabelKey with the parser's nil path, which Go prints as "<nil>".
bool validate_parsed_label_key(const std::string& key, std::string& why) {
  auto errs = is_qualified_name(key);
  if (errs.empty())
    return true;
  why = field_error{field_error_type::invalid, "<nil>", quote(key), join(errs, "; ")}.message();
  return false;
}

void sort_unique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

void sort_by_key(std::vector<label_requirement>& requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const label_requirement& a, const label_requirement& b) { return a.key < b.key; });
}

} // namespace detail

namespace {

// Requirement::Matches over any label lookup (`find(key)` gives a string or nullptr).
template <class Find>
bool requirement_matches(const label_requirement& r, const Find& find) {
  const std::string* value = find(r.key);
  auto has = [&](const std::string& v) {
    return std::binary_search(r.values.begin(), r.values.end(), v);
  };
  switch (r.op) {
    case selector_operator::in:
    case selector_operator::equals:
    case selector_operator::double_equals:
      return value != nullptr && has(*value);
    case selector_operator::not_in:
    case selector_operator::not_equals:
      return value == nullptr || !has(*value);
    case selector_operator::exists:
      return value != nullptr;
    case selector_operator::does_not_exist:
      return value == nullptr;
    case selector_operator::greater_than:
    case selector_operator::less_than: {
      if (value == nullptr || r.values.size() != 1)
        return false;
      auto have = parse_go_int64(*value);
      auto want = parse_go_int64(r.values.front());
      if (!have || !want)
        return false;
      return r.op == selector_operator::greater_than ? *have > *want : *have < *want;
    }
  }
  return false;
}

} // namespace

bool label_requirement::matches(const label_set& labels) const {
  return requirement_matches(*this, [&](const std::string& name) -> const std::string* {
    auto it = labels.find(name);
    return it == labels.end() ? nullptr : &it->second;
  });
}

std::string label_requirement::to_string() const {
  std::string out;
  if (op == selector_operator::does_not_exist)
    out += '!';
  out += key;
  switch (op) {
    case selector_operator::exists:
    case selector_operator::does_not_exist: return out;
    case selector_operator::equals: out += '='; break;
    case selector_operator::double_equals: out += "=="; break;
    case selector_operator::not_equals: out += "!="; break;
    case selector_operator::in: out += " in ("; break;
    case selector_operator::not_in: out += " notin ("; break;
    case selector_operator::greater_than: out += '>'; break;
    case selector_operator::less_than: out += '<'; break;
  }
  out += join(values, ",");
  if (op == selector_operator::in || op == selector_operator::not_in)
    out += ')';
  return out;
}

label_matcher label_matcher::nothing() {
  label_matcher m;
  m.nothing_ = true;
  return m;
}

std::optional<label_matcher> label_matcher::from_label_selector(const label_selector& selector,
                                                                std::string* why) {
  label_matcher m;
  std::string error;
  auto fail = [&]() -> std::optional<label_matcher> {
    if (why != nullptr)
      *why = std::move(error);
    return std::nullopt;
  };
  for (const auto& [key, value] : selector.match_labels) {
    auto r = detail::new_label_requirement(key, selector_operator::equals, {value}, error);
    if (!r)
      return fail();
    m.requirements_.push_back(std::move(*r));
  }
  for (const auto& expr : selector.match_expressions) {
    auto op = expr.operator_.value();
    if (!op) {
      error = quote(expr.operator_.raw()) + " is not a valid label selector operator";
      return fail();
    }
    selector_operator sop = selector_operator::in;
    switch (*op) {
      case label_selector_operator::in: sop = selector_operator::in; break;
      case label_selector_operator::not_in: sop = selector_operator::not_in; break;
      case label_selector_operator::exists: sop = selector_operator::exists; break;
      case label_selector_operator::does_not_exist: sop = selector_operator::does_not_exist; break;
    }
    auto r = detail::new_label_requirement(expr.key, sop, expr.values, error);
    if (!r)
      return fail();
    m.requirements_.push_back(std::move(*r));
  }
  detail::sort_by_key(m.requirements_);
  return m;
}

label_matcher label_matcher::from_set(const label_set& labels) {
  label_matcher m;
  for (const auto& [key, value] : labels)
    m.requirements_.push_back({key, selector_operator::equals, {value}});
  return m; // std::map iterates in key order already
}

bool label_matcher::matches(const label_set& labels) const {
  if (nothing_)
    return false;
  for (const auto& r : requirements_)
    if (!r.matches(labels))
      return false;
  return true;
}

bool label_matcher::matches_object(const nlohmann::json& object) const {
  if (nothing_)
    return false;
  if (requirements_.empty())
    return true;
  const nlohmann::json* labels = nullptr;
  if (object.is_object()) {
    auto meta = object.find("metadata");
    if (meta != object.end() && meta->is_object()) {
      auto it = meta->find("labels");
      if (it != meta->end() && it->is_object())
        labels = &*it;
    }
  }
  auto find = [&](const std::string& key) -> const std::string* {
    if (labels == nullptr)
      return nullptr;
    auto it = labels->find(key);
    if (it == labels->end() || !it->is_string())
      return nullptr;
    return &it->get_ref<const std::string&>();
  };
  for (const auto& r : requirements_)
    if (!requirement_matches(r, find))
      return false;
  return true;
}

std::optional<std::string> label_matcher::requires_exact_match(std::string_view key) const {
  for (const auto& r : requirements_) {
    if (r.key != key)
      continue;
    bool exact = r.op == selector_operator::equals || r.op == selector_operator::double_equals
                 || r.op == selector_operator::in;
    if (exact && r.values.size() == 1)
      return r.values.front();
    return std::nullopt;
  }
  return std::nullopt;
}

std::string label_matcher::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty())
      out += ',';
    out += r.to_string();
  }
  return out;
}

} // namespace podvisor::kube::api
