// DELETE of one object and of a collection.

#include "kube/api/json_text.hpp"
#include "kube/apiserver/server/deletion.hpp"
#include "kube/apiserver/server/filters.hpp"
#include "kube/apiserver/server/object_ops.hpp"
#include "kube/apiserver/server/resource_ops.hpp"
#include "kube/apiserver/server/responses.hpp"
#include "kube/apiserver/server/write_support.hpp"

namespace podvisor::kube::apiserver {

namespace {

// DeleteOptions come in the body (kubectl: {"propagationPolicy":"Background"}) or the
// query (gracePeriodSeconds, propagationPolicy); the body wins.
std::optional<delete_options> read_delete_options(op_context& c, api_response& error) {
  delete_options o;
  bool malformed = false;
  if (auto g = int_param(c.request.query, "gracePeriodSeconds", malformed))
    o.grace_period_seconds = *g;
  if (malformed) {
    error = error_response(400, "BadRequest", "gracePeriodSeconds must be a non-negative integer");
    return std::nullopt;
  }
  o.propagation_policy = std::string(param(c.request.query, "propagationPolicy"));
  if (!c.request.body.empty()) {
    if (c.request.body.size() > c.server.options().max_body_bytes) {
      error = error_response(413, "RequestEntityTooLarge", "the request body is too large");
      return std::nullopt;
    }
    nlohmann::json body;
    std::string why;
    if (!api::parse_json(c.request.body, body, why) || !body.is_object()) {
      error = error_response(400, "BadRequest", "the DeleteOptions body is not a JSON object" + (why.empty() ? "" : ": " + why));
      return std::nullopt;
    }
    if (auto g = body.find("gracePeriodSeconds"); g != body.end() && !g->is_null()) {
      if (!g->is_number_integer() || g->get<std::int64_t>() < 0) {
        error = error_response(400, "BadRequest", "gracePeriodSeconds must be a non-negative integer");
        return std::nullopt;
      }
      o.grace_period_seconds = g->get<std::int64_t>();
    }
    if (auto p = body.find("propagationPolicy"); p != body.end() && p->is_string())
      o.propagation_policy = p->get<std::string>();
    if (auto pre = body.find("preconditions"); pre != body.end() && pre->is_object()) {
      if (auto uid = pre->find("uid"); uid != pre->end() && uid->is_string())
        o.uid = uid->get<std::string>();
      if (auto rv = pre->find("resourceVersion"); rv != pre->end() && rv->is_string()) {
        auto parsed = parse_resource_version(rv->get<std::string>());
        if (!parsed) {
          error = error_response(400, "BadRequest", "invalid preconditions.resourceVersion");
          return std::nullopt;
        }
        o.resource_version = *parsed;
      }
    }
  }
  const auto& p = o.propagation_policy;
  if (!p.empty() && p != "Background" && p != "Orphan" && p != "Foreground") {
    error = error_response(422, "Invalid",
                           "propagationPolicy: Unsupported value: \"" + p
                             + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
    return std::nullopt;
  }
  return o;
}

} // namespace

api_response delete_object(op_context& c) {
  api_response error;
  auto options = read_delete_options(c, error);
  if (!options)
    return error;
  auto outcome = delete_with_semantics(c.server, c.entry, key_of(c), *options);
  if (outcome.error)
    return store_error_response(*outcome.error, c.entry.group, c.entry.plural, c.path.name);
  if (c.entry.group == "apiextensions.k8s.io" && c.entry.kind == "CustomResourceDefinition" && outcome.status == 200)
    c.server.registry().remove_crd(c.path.name);
  return text_response(outcome.status, std::move(outcome.body));
}

api_response delete_collection(op_context& c) {
  api_response error;
  auto options = read_delete_options(c, error);
  if (!options)
    return error;
  std::string why;
  auto filter = parse_filter(c.entry, c.request.query, why);
  if (!filter)
    return error_response(400, "BadRequest", why);
  std::optional<std::string_view> ns;
  if (!c.path.namespace_.empty())
    ns = c.path.namespace_;
  auto list = c.server.db().list(store_resource(c.entry), ns);
  auto items = nlohmann::json::array();
  for (const auto& item : list.items) {
    auto object = nlohmann::json::parse(item.text(), nullptr, false);
    if (object.is_discarded() || !filter->matches(object))
      continue;
    auto& meta = metadata_of(object);
    object_key key{store_resource(c.entry), meta.value("namespace", std::string()), meta.value("name", std::string())};
    auto outcome = delete_with_semantics(c.server, c.entry, key, *options);
    if (outcome.error) {
      if (outcome.error->code == store_errc::not_found)
        continue; // deleted meanwhile: that is what was asked
      return store_error_response(*outcome.error, c.entry.group, c.entry.plural, key.name);
    }
    items.push_back(nlohmann::json::parse(outcome.body, nullptr, false));
  }
  return json_response(200, {{"apiVersion", c.entry.api_version()},
                             {"kind", c.entry.list_kind},
                             {"metadata", {{"resourceVersion", format_resource_version(c.server.db().current_rv())}}},
                             {"items", std::move(items)}});
}

} // namespace podvisor::kube::apiserver
