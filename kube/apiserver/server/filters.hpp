#pragma once
// labelSelector and fieldSelector of list, watch and deletecollection requests.

#include <optional>
#include <string>

#include "kube/api/selector.hpp"
#include "kube/apiserver/resources/registry.hpp"
#include "kube/apiserver/server/query.hpp"

namespace podvisor::kube::apiserver {

/// The selectors of one request; empty ones select everything.
struct object_filter {
  api::label_matcher labels;
  api::field_matcher fields;
  std::string kind; ///< for field lookups

  bool selects_all() const { return labels.empty() && fields.empty(); }
  /// True when `object` passes both selectors.
  bool matches(const nlohmann::json& object) const;
};

/// Parses the selectors of `query` for `entry`. On failure returns nothing and sets
/// `error` to the message kube-apiserver answers with 400 BadRequest.
std::optional<object_filter> parse_filter(const resource_entry& entry, const query_params& query,
                                          std::string& error);

} // namespace podvisor::kube::apiserver
