#pragma once
// metav1.LabelSelector: the label query used by pod (anti-)affinity, claims and, later,
// by KubeVirt's own selectors.

#include <array>
#include <map>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"

namespace podvisor::kube::api {

/// metav1.LabelSelectorOperator.
enum class label_selector_operator { in, not_in, exists, does_not_exist };

template <>
struct enum_table<label_selector_operator> {
  static constexpr std::array entries = {
    enum_entry{label_selector_operator::in, "In"},
    enum_entry{label_selector_operator::not_in, "NotIn"},
    enum_entry{label_selector_operator::exists, "Exists"},
    enum_entry{label_selector_operator::does_not_exist, "DoesNotExist"},
  };
};

/// metav1.LabelSelectorRequirement: one set-based condition on one label.
struct label_selector_requirement {
  std::string key;
  enum_field<label_selector_operator> operator_;
  std::vector<std::string> values;
  unknown_fields unknown;
  bool operator==(const label_selector_requirement&) const = default;
};

template <class F>
void describe(F& f, label_selector_requirement& x) {
  f("key", x.key, {.required = true, .doc = "Label key the condition applies to."});
  f("operator", x.operator_, {.required = true, .doc = "How the key relates to the values."});
  f("values", x.values, {.doc = "Values for In and NotIn; empty for Exists and DoesNotExist."});
}

/// metav1.LabelSelector: matchLabels and matchExpressions are ANDed; an empty selector
/// matches everything.
struct label_selector {
  std::map<std::string, std::string> match_labels;
  std::vector<label_selector_requirement> match_expressions;
  unknown_fields unknown;
  bool operator==(const label_selector&) const = default;
};

template <class F>
void describe(F& f, label_selector& x) {
  f("matchLabels", x.match_labels, {.doc = "Labels that must all be present with these values."});
  f("matchExpressions", x.match_expressions, {.doc = "Set-based conditions that must all hold."});
}

} // namespace podvisor::kube::api
