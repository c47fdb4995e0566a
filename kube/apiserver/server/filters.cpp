#include "kube/apiserver/server/filters.hpp"

namespace podvisor::kube::apiserver {

bool object_filter::matches(const nlohmann::json& object) const {
  return labels.matches_object(object) && fields.matches(object, kind);
}

std::optional<object_filter> parse_filter(const resource_entry& entry, const query_params& query,
                                          std::string& error) {
  object_filter filter;
  filter.kind = entry.kind;
  if (auto text = param(query, "labelSelector"); !text.empty()) {
    auto parsed = api::label_matcher::parse(text, &error);
    if (!parsed)
      return std::nullopt;
    filter.labels = std::move(*parsed);
  }
  if (auto text = param(query, "fieldSelector"); !text.empty()) {
    auto parsed = api::field_matcher::parse_for_kind(text, entry.kind, &error);
    if (!parsed)
      return std::nullopt;
    filter.fields = std::move(*parsed);
  }
  return filter;
}

} // namespace podvisor::kube::apiserver
