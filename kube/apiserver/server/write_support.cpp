#include "kube/apiserver/server/write_support.hpp"

#include "kube/api/json_text.hpp"
#include "kube/apiserver/server/admission_ops.hpp"
#include "kube/apiserver/server/object_ops.hpp"
#include "kube/apiserver/server/responses.hpp"

namespace podvisor::kube::apiserver {

namespace {

bool json_content_type(std::string_view type) {
  auto semi = type.find(';');
  auto base = type.substr(0, semi);
  while (!base.empty() && base.back() == ' ')
    base.remove_suffix(1);
  return base.empty() || base == "application/json" || base == "*/*";
}

// Whether storing `updated` completes a deletion requested earlier, as kube-apiserver's
// DefaultShouldDeleteDuringUpdate decides: terminating and without finalizers, but not
// while a grace period runs (a pod's node stops it and deletes it with grace period 0; its
// status updates meanwhile must not remove it), and never for a namespace (the garbage
// collector removes it once it is empty; removing it here would strand its contents).
bool completes_deletion(const resource_entry& entry, const nlohmann::json& updated) {
  if (!is_terminating(updated) || has_finalizers(updated))
    return false;
  if (entry.group.empty() && entry.kind == "Namespace")
    return false;
  const auto& meta = updated.at("metadata");
  auto grace = meta.find("deletionGracePeriodSeconds");
  return grace == meta.end() || !grace->is_number_integer() || grace->get<std::int64_t>() == 0;
}

} // namespace

std::optional<nlohmann::json> read_object_body(op_context& c, api_response& error) {
  const auto& r = c.request;
  if (r.body.size() > c.server.options().max_body_bytes) {
    error = error_response(413, "RequestEntityTooLarge", "the request body is too large");
    return std::nullopt;
  }
  if (!json_content_type(r.content_type)) {
    error = error_response(415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted media types include: "
                           "application/json");
    return std::nullopt;
  }
  nlohmann::json object;
  std::string why;
  if (!api::parse_json(r.body, object, why)) {
    error = error_response(400, "BadRequest", "the request body is not valid JSON: " + why);
    return std::nullopt;
  }
  if (!object.is_object()) {
    error = error_response(400, "BadRequest", "the request body must be a JSON object");
    return std::nullopt;
  }
  return object;
}

object_key key_of(op_context& c) {
  return {store_resource(c.entry), c.entry.namespaced ? c.path.namespace_ : std::string(), c.path.name};
}

bool check_identity(op_context& c, nlohmann::json& object, bool url_name, api_response& error) {
  const auto& e = c.entry;
  auto api_version = e.api_version();
  auto av = object.find("apiVersion");
  if (av == object.end() || (av->is_string() && av->get<std::string>().empty())) {
    object["apiVersion"] = api_version;
  } else if (!av->is_string() || av->get<std::string>() != api_version) {
    error = error_response(400, "BadRequest",
                           "the API version in the data (" + (av->is_string() ? av->get<std::string>() : std::string("?"))
                             + ") does not match the expected API version (" + api_version + ")");
    return false;
  }
  auto kind = object.find("kind");
  if (kind == object.end() || (kind->is_string() && kind->get<std::string>().empty())) {
    object["kind"] = e.kind;
  } else if (!kind->is_string() || kind->get<std::string>() != e.kind) {
    error = error_response(400, "BadRequest",
                           "the kind in the data (" + (kind->is_string() ? kind->get<std::string>() : std::string("?"))
                             + ") does not match the expected kind (" + e.kind + ")");
    return false;
  }
  auto& meta = metadata_of(object);
  auto ns = meta.find("namespace");
  if (e.namespaced) {
    if (ns != meta.end() && ns->is_string() && !ns->get<std::string>().empty()
        && ns->get<std::string>() != c.path.namespace_) {
      error = error_response(400, "BadRequest",
                             "the namespace of the provided object does not match the namespace sent on the request");
      return false;
    }
    meta["namespace"] = c.path.namespace_;
  } else if (ns != meta.end()) {
    meta.erase("namespace");
  }
  if (url_name) {
    auto name = meta.find("name");
    if (name == meta.end() || (name->is_string() && name->get<std::string>().empty())) {
      meta["name"] = c.path.name;
    } else if (!name->is_string() || name->get<std::string>() != c.path.name) {
      error = error_response(400, "BadRequest",
                             "the name of the object (" + (name->is_string() ? name->get<std::string>() : std::string("?"))
                               + ") does not match the name on the URL (" + c.path.name + ")");
      return false;
    }
  }
  return true;
}

void carry_server_fields(const resource_entry& entry, const nlohmann::json& current, nlohmann::json& updated) {
  const auto& cur_meta = current.at("metadata");
  auto& meta = metadata_of(updated);
  for (const char* key : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"}) {
    if (auto it = cur_meta.find(key); it != cur_meta.end())
      meta[key] = *it;
    else
      meta.erase(key);
  }
  meta.erase("resourceVersion");
  if (entry.has_subresource("status")) {
    if (auto it = current.find("status"); it != current.end())
      updated["status"] = *it;
    else
      updated.erase("status");
  }
  if (without_metadata_and_status(current) != without_metadata_and_status(updated)) {
    auto g = cur_meta.find("generation");
    std::int64_t generation = g != cur_meta.end() && g->is_number_integer() ? g->get<std::int64_t>() : 0;
    meta["generation"] = generation + 1;
  }
}

nlohmann::json with_status_of(const nlohmann::json& current, const nlohmann::json& updated) {
  nlohmann::json out = current;
  if (auto it = updated.find("status"); it != updated.end())
    out["status"] = *it;
  else
    out.erase("status");
  return out;
}

void add_warnings(api_response& r, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings)
    r.headers.emplace_back("Warning", w);
}

api_response admit_and_replace(op_context& c, const object_key& key, nlohmann::json updated,
                               std::uint64_t expected_rv) {
  auto admitted = admit_object(c.entry, updated, c.request.query, false);
  if (!admitted.admitted)
    return admitted.error;
  preconditions pre;
  if (expected_rv != 0)
    pre.resource_version = expected_rv;
  if (completes_deletion(c.entry, updated)) {
    // The last finalizer is gone: the deletion requested earlier completes now.
    auto removed = c.server.db().remove(key, pre);
    if (!removed)
      return store_error_response(removed.error(), c.entry.group, c.entry.plural, key.name);
    c.server.notify_deleted();
    auto r = text_response(200, removed->text());
    add_warnings(r, admitted.warnings);
    return r;
  }
  auto stored = c.server.db().update(key, updated.dump(), pre);
  if (!stored)
    return store_error_response(stored.error(), c.entry.group, c.entry.plural, key.name);
  auto r = text_response(200, stored->object.text());
  add_warnings(r, admitted.warnings);
  return r;
}

} // namespace podvisor::kube::apiserver
