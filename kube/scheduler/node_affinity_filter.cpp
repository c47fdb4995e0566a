#include "kube/scheduler/node_affinity_filter.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace podvisor::kube::scheduler {

namespace {

// strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, nothing else.
std::optional<std::int64_t> parse_int64(std::string_view s) {
  if (!s.empty() && s.front() == '+')
    s.remove_prefix(1);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

bool contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// The value the requirement is checked against: present or not, and which.
bool matches_value(const api::node_selector_requirement& r, const std::string* value) {
  auto op = r.operator_.value();
  if (!op)
    return false;
  switch (*op) {
  case api::node_selector_operator::in:
    return !r.values.empty() && value && contains(r.values, *value);
  case api::node_selector_operator::not_in:
    return !r.values.empty() && (!value || !contains(r.values, *value));
  case api::node_selector_operator::exists:
    return r.values.empty() && value;
  case api::node_selector_operator::does_not_exist:
    return r.values.empty() && !value;
  case api::node_selector_operator::gt:
  case api::node_selector_operator::lt: {
    if (r.values.size() != 1 || !value)
      return false;
    auto bound = parse_int64(r.values.front());
    auto have = parse_int64(*value);
    if (!bound || !have)
      return false;
    return *op == api::node_selector_operator::gt ? *have > *bound : *have < *bound;
  }
  }
  return false;
}

bool matches_term(const api::node_selector_term& term, const api::node& node) {
  if (term.match_expressions.empty() && term.match_fields.empty())
    return false;
  for (const auto& r : term.match_expressions)
    if (!matches_label_requirement(r, node.metadata.labels))
      return false;
  for (const auto& r : term.match_fields)
    if (!matches_field_requirement(r, node))
      return false;
  return true;
}

} // namespace

bool matches_node_selector(const api::pod& pod, const api::node& node) {
  const auto& labels = node.metadata.labels;
  return std::all_of(pod.spec.node_selector.begin(), pod.spec.node_selector.end(), [&](const auto& entry) {
    auto it = labels.find(entry.first);
    return it != labels.end() && it->second == entry.second;
  });
}

bool matches_label_requirement(const api::node_selector_requirement& r, const api::label_set& labels) {
  auto it = labels.find(r.key);
  return matches_value(r, it == labels.end() ? nullptr : &it->second);
}

bool matches_field_requirement(const api::node_selector_requirement& r, const api::node& node) {
  if (r.key != "metadata.name")
    return false;
  // Only In and NotIn with exactly one value are valid field requirements.
  if (r.values.size() != 1)
    return false;
  if (r.operator_ != api::node_selector_operator::in && r.operator_ != api::node_selector_operator::not_in)
    return false;
  return matches_value(r, &node.metadata.name);
}

bool matches_node_selector_terms(const api::node_selector& selector, const api::node& node) {
  const auto& terms = selector.node_selector_terms;
  return std::any_of(terms.begin(), terms.end(),
                     [&](const api::node_selector_term& t) { return matches_term(t, node); });
}

bool matches_required_node_affinity(const api::pod& pod, const api::node& node) {
  const auto& affinity = pod.spec.affinity_;
  if (!affinity || !affinity->node_affinity_)
    return true;
  const auto& required = affinity->node_affinity_->required_during_scheduling_ignored_during_execution;
  return !required || matches_node_selector_terms(*required, node);
}

filter_reasons filter_node_affinity(const api::pod& pod, const node_info& node) {
  if (matches_node_selector(pod, node.node) && matches_required_node_affinity(pod, node.node))
    return {};
  return {std::string(reason::node_affinity)};
}

} // namespace podvisor::kube::scheduler
