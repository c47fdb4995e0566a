// The REST verbs of rest_client: paths, query parameters, bodies and content types for
// each, and the answer turned into JSON or a classified error whose context says what
// was being done ("get virtualmachineinstances default/x").

#include <set>

#include "kube/api/json_text.hpp"
#include "kube/client/errors.hpp"
#include "kube/client/rest_client_impl.hpp"

namespace podvisor::kube::client {

namespace {

/// "get virtualmachineinstances default/x", "list pods in all namespaces".
std::string describe(std::string_view verb, const resource_ref& r, std::string_view ns, std::string_view name) {
  std::string out = std::string(verb) + " " + r.plural;
  if (r.namespaced && !ns.empty())
    out += " " + std::string(ns) + "/" + std::string(name);
  else
    out += " " + std::string(name);
  return out;
}

/// JSON text of a body; invalid UTF-8 in a string is replaced rather than thrown about.
std::string to_body(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string metadata_string(const nlohmann::json& object, const char* key) {
  if (!object.is_object())
    return {};
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return {};
  auto it = meta->find(key);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// An answer as JSON: a 2xx body parsed, anything else classified.
expected<nlohmann::json> json_answer(expected<http_answer> answer, bool empty_ok) {
  if (!answer)
    return answer.error();
  if (answer->status < 200 || answer->status > 299)
    return classify(answer->status, answer->body);
  if (answer->body.empty() && empty_ok)
    return nlohmann::json::object();
  nlohmann::json out;
  std::string why;
  if (!api::parse_json(answer->body, out, why))
    return error{errc::parse_error, "the answer is not JSON: " + why};
  return out;
}

error needs_namespace(const resource_ref& r) {
  return {errc::invalid_argument, r.plural + " are namespaced: a namespace is required"};
}

} // namespace

expected<nlohmann::json> rest_client::get(const resource_ref& r, std::string_view ns, std::string_view name) {
  auto what = describe("get", r, ns, name);
  if (r.namespaced && ns.empty())
    return needs_namespace(r).with_context(what);
  auto out = json_answer(impl_->send("GET", object_path(r, ns, name), nullptr, {}), false);
  if (!out)
    return out.error().with_context(what);
  return out;
}

expected<object_list> rest_client::list(const resource_ref& r, std::string_view ns, const list_options& options) {
  auto what = "list " + r.plural + (!r.namespaced ? "" : ns.empty() ? " in all namespaces" : " in " + std::string(ns));
  object_list out;
  std::string token;
  std::set<std::string> seen_tokens;
  for (;;) {
    query_builder q;
    q.add_if("labelSelector", options.label_selector).add_if("fieldSelector", options.field_selector);
    if (options.limit > 0)
      q.add("limit", std::to_string(options.limit));
    // A continue token carries the version of the first page; both together are refused.
    if (token.empty())
      q.add_if("resourceVersion", options.resource_version);
    else
      q.add("continue", token);
    auto page = json_answer(impl_->send("GET", collection_path(r, ns) + q.str(), nullptr, {}), false);
    if (!page)
      return page.error().with_context(what);
    if (!page->is_object())
      return error{errc::parse_error, "the answer is not a list object"}.with_context(what);
    auto items = page->find("items");
    // Go writes an empty slice as null.
    if (items != page->end() && !items->is_null() && !items->is_array())
      return error{errc::parse_error, "the list's items are not an array"}.with_context(what);
    if (items != page->end() && items->is_array()) {
      for (auto& item : *items) {
        // kube-apiserver leaves kind and apiVersion out of list items; callers should not
        // have to care whether an object came from a list or a get.
        if (item.is_object()) {
          if (!item.contains("kind"))
            item["kind"] = r.kind;
          if (!item.contains("apiVersion"))
            item["apiVersion"] = r.api_version();
        }
        out.items.push_back(std::move(item));
      }
    }
    if (out.resource_version.empty())
      out.resource_version = metadata_string(*page, "resourceVersion");
    token = metadata_string(*page, "continue");
    if (token.empty())
      break;
    if (!seen_tokens.insert(token).second)
      return error{errc::internal, "the server repeated the continue token \"" + token + "\""}.with_context(what);
  }
  return out;
}

expected<nlohmann::json> rest_client::create(const resource_ref& r, std::string_view ns, const nlohmann::json& object) {
  auto object_ns = metadata_string(object, "namespace");
  auto name = metadata_string(object, "name");
  if (name.empty() && !metadata_string(object, "generateName").empty())
    name = metadata_string(object, "generateName") + "*";
  std::string target_ns{r.namespaced ? (object_ns.empty() ? ns : std::string_view(object_ns)) : std::string_view{}};
  auto what = describe("create", r, target_ns, name);
  if (!object.is_object())
    return error{errc::invalid_argument, "the object is not a JSON object"}.with_context(what);
  if (r.namespaced && !object_ns.empty() && !ns.empty() && object_ns != ns)
    return error{errc::invalid_argument, "the object's namespace \"" + object_ns + "\" differs from \""
                                           + std::string(ns) + "\""}.with_context(what);
  if (r.namespaced && target_ns.empty())
    return needs_namespace(r).with_context(what);
  auto body = to_body(object);
  auto out = json_answer(impl_->send("POST", collection_path(r, target_ns), &body, "application/json"), false);
  if (!out)
    return out.error().with_context(what);
  return out;
}

namespace {

/// PUT of `object` to its own path (+ subresource).
expected<nlohmann::json> put_object(rest_client::impl& i, const resource_ref& r, const nlohmann::json& object,
                                    std::string_view subresource, std::string_view verb) {
  auto name = metadata_string(object, "name");
  auto ns = r.namespaced ? metadata_string(object, "namespace") : std::string{};
  auto what = describe(verb, r, ns, name);
  if (name.empty())
    return error{errc::invalid_argument, "the object has no metadata.name"}.with_context(what);
  if (r.namespaced && ns.empty())
    return error{errc::invalid_argument, "the object has no metadata.namespace"}.with_context(what);
  auto body = to_body(object);
  auto out = json_answer(i.send("PUT", object_path(r, ns, name, subresource), &body, "application/json"), false);
  if (!out)
    return out.error().with_context(what);
  return out;
}

} // namespace

expected<nlohmann::json> rest_client::update(const resource_ref& r, const nlohmann::json& object) {
  return put_object(*impl_, r, object, {}, "update");
}

expected<nlohmann::json> rest_client::update_status(const resource_ref& r, const nlohmann::json& object) {
  return put_object(*impl_, r, object, "status", "update status of");
}

expected<nlohmann::json> rest_client::patch(const resource_ref& r, std::string_view ns, std::string_view name,
                                            patch_type type, const nlohmann::json& body,
                                            std::string_view subresource, std::string_view field_manager) {
  auto what = describe(subresource.empty() ? "patch" : "patch " + std::string(subresource) + " of", r, ns, name);
  if (r.namespaced && ns.empty())
    return needs_namespace(r).with_context(what);
  std::string_view content_type;
  switch (type) {
  case patch_type::merge:
    content_type = "application/merge-patch+json";
    break;
  case patch_type::json:
    content_type = "application/json-patch+json";
    break;
  case patch_type::strategic:
    content_type = "application/strategic-merge-patch+json";
    break;
  case patch_type::apply:
    // Server-side apply takes YAML; JSON is YAML, so the body is sent as JSON text.
    content_type = "application/apply-patch+yaml";
    break;
  }
  query_builder q;
  q.add_if("fieldManager", field_manager);
  if (type == patch_type::apply) {
    if (field_manager.empty())
      return error{errc::invalid_argument, "server-side apply needs a field manager"}.with_context(what);
    // Podvisor's components own the fields they apply; take them over from others as
    // controllers do.
    q.add("force", "true");
  }
  auto text = to_body(body);
  auto out = json_answer(impl_->send("PATCH", object_path(r, ns, name, subresource) + q.str(), &text, content_type),
                         false);
  if (!out)
    return out.error().with_context(what);
  return out;
}

expected<nlohmann::json> rest_client::create_subresource(const resource_ref& r, std::string_view ns,
                                                         std::string_view name, std::string_view subresource,
                                                         const nlohmann::json& body) {
  auto what = describe("create " + std::string(subresource) + " of", r, ns, name);
  if (r.namespaced && ns.empty())
    return needs_namespace(r).with_context(what);
  if (name.empty() || subresource.empty())
    return error{errc::invalid_argument, "a subresource needs an object name and a subresource name"}.with_context(
      what);
  if (!body.is_object())
    return error{errc::invalid_argument, "the body is not a JSON object"}.with_context(what);
  auto text = to_body(body);
  auto out =
    json_answer(impl_->send("POST", object_path(r, ns, name, subresource), &text, "application/json"), true);
  if (!out)
    return out.error().with_context(what);
  return out;
}

expected<nlohmann::json> rest_client::remove(const resource_ref& r, std::string_view ns, std::string_view name,
                                             const delete_options& options) {
  auto what = describe("delete", r, ns, name);
  if (r.namespaced && ns.empty())
    return needs_namespace(r).with_context(what);
  nlohmann::json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (options.grace_period_seconds)
    body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (!options.propagation_policy.empty())
    body["propagationPolicy"] = options.propagation_policy;
  if (options.precondition_uid)
    body["preconditions"]["uid"] = *options.precondition_uid;
  if (options.precondition_resource_version)
    body["preconditions"]["resourceVersion"] = *options.precondition_resource_version;
  auto text = to_body(body);
  auto out = json_answer(impl_->send("DELETE", object_path(r, ns, name), &text, "application/json"), true);
  if (!out)
    return out.error().with_context(what);
  return out;
}

expected<std::string> rest_client::get_raw(std::string_view path) {
  auto what = "get " + std::string(path);
  if (path.empty() || path.front() != '/')
    return error{errc::invalid_argument, "the path must start with '/'"}.with_context(what);
  auto answer = impl_->send("GET", path, nullptr, {});
  if (!answer)
    return answer.error().with_context(what);
  if (answer->status < 200 || answer->status > 299)
    return classify(answer->status, answer->body).with_context(what);
  return std::move(answer->body);
}

} // namespace podvisor::kube::client
