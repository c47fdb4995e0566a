// GET of one object and of collections.

#include "kube/apiserver/resources/accept.hpp"
#include "kube/apiserver/resources/tables.hpp"
#include "kube/apiserver/server/filters.hpp"
#include "kube/apiserver/server/resource_ops.hpp"
#include "kube/apiserver/server/responses.hpp"

namespace podvisor::kube::apiserver {

namespace {

include_object include_param(const query_params& q) {
  auto v = param(q, "includeObject");
  if (v == "None")
    return include_object::none;
  if (v == "Object")
    return include_object::object;
  return include_object::metadata;
}

table_options table_opts(op_context& c, const table_format& format, std::string rv) {
  table_options o;
  o.now = c.server.now();
  o.include = include_param(c.request.query);
  o.resource_version = std::move(rv);
  o.api_version = format.api_version;
  return o;
}

} // namespace

api_response get_object(op_context& c) {
  object_key key{store_resource(c.entry), c.path.namespace_, c.path.name};
  if (c.entry.namespaced && key.namespace_.empty())
    return error_response(404, "NotFound", "the server could not find the requested resource");
  auto found = c.server.db().get(key);
  if (!found)
    return store_error_response(found.error(), c.entry.group, c.entry.plural, c.path.name);
  auto format = negotiate_table(c.request.accept);
  if (!format.table)
    return text_response(200, found->text());
  auto object = nlohmann::json::parse(found->text(), nullptr, false);
  auto r = json_response(200, make_table(c.entry, object, table_opts(c, format, "")));
  r.content_type = format.content_type;
  return r;
}

api_response list_objects(op_context& c) {
  std::string why;
  auto filter = parse_filter(c.entry, c.request.query, why);
  if (!filter)
    return error_response(400, "BadRequest", why);
  std::optional<std::string_view> ns;
  if (!c.path.namespace_.empty())
    ns = c.path.namespace_;
  auto list = c.server.db().list(store_resource(c.entry), ns);
  auto rv = format_resource_version(list.resource_version);
  auto format = negotiate_table(c.request.accept);

  if (format.table || !filter->selects_all()) {
    auto items = nlohmann::json::array();
    for (const auto& item : list.items) {
      auto object = nlohmann::json::parse(item.text(), nullptr, false);
      if (object.is_discarded() || !filter->matches(object))
        continue;
      items.push_back(std::move(object));
    }
    if (format.table) {
      auto r = json_response(200, make_table(c.entry, items, table_opts(c, format, rv)));
      r.content_type = format.content_type;
      return r;
    }
    nlohmann::json out = {{"apiVersion", c.entry.api_version()},
                          {"kind", c.entry.list_kind},
                          {"metadata", {{"resourceVersion", rv}}},
                          {"items", std::move(items)}};
    return json_response(200, out);
  }

  // Without selectors the stored texts go out as they are: no parse, no re-serialization.
  std::string body;
  std::size_t size = 128;
  for (const auto& item : list.items)
    size += item.text().size() + 1;
  body.reserve(size);
  body += R"({"apiVersion":")";
  body += c.entry.api_version();
  body += R"(","kind":")";
  body += c.entry.list_kind;
  body += R"(","metadata":{"resourceVersion":")";
  body += rv;
  body += R"("},"items":[)";
  bool first = true;
  for (const auto& item : list.items) {
    if (!first)
      body += ',';
    first = false;
    body += item.text();
  }
  body += "]}";
  return text_response(200, std::move(body));
}

} // namespace podvisor::kube::apiserver
