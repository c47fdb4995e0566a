#pragma once
// Internal to the selector implementation (selector.cpp, label_parser.cpp): the pieces of
// labels.NewRequirement the parser shares with the metav1.LabelSelector conversion.

#include <optional>
#include <string>
#include <vector>

#include "kube/api/selector.hpp"

namespace podvisor::kube::api::detail {

/// labels.NewRequirement with a nil field path: validates key, operator arity and values
/// (in the order given) and returns the requirement with its values sorted and unique, or
/// nothing with apimachinery's (aggregated) message in `why`.
std::optional<label_requirement> new_label_requirement(std::string key, selector_operator op,
                                                       std::vector<std::string> values, std::string& why);

/// The parser's key check (validateLabelKey with a nil path, printed "<nil>: ...").
bool validate_parsed_label_key(const std::string& key, std::string& why);

/// Sorts and removes duplicates (Go keeps values in a sets.String).
void sort_unique(std::vector<std::string>& values);

/// Sorts requirements by key, keeping the order of equal keys.
void sort_by_key(std::vector<label_requirement>& requirements);

} // namespace podvisor::kube::api::detail
