// POST (create, pods/binding) and PUT (update, status update).

#include "kube/api/core/status.hpp"
#include "kube/apiserver/resources/crd.hpp"
#include "kube/apiserver/server/admission_ops.hpp"
#include "kube/apiserver/server/object_ops.hpp"
#include "kube/apiserver/server/responses.hpp"
#include "kube/apiserver/server/write_support.hpp"

namespace podvisor::kube::apiserver {

namespace {

// A new object's status: pods start Pending, namespaces Active, CRDs accepted; other
// kinds with a status subresource start without one (writers of status use /status);
// kinds whose status is written with the object (nodes) keep what they were given.
void initial_status(op_context& c, nlohmann::json& object) {
  const auto& e = c.entry;
  if (e.group.empty() && e.kind == "Pod") {
    object["status"] = {{"phase", "Pending"}};
  } else if (e.group.empty() && e.kind == "Namespace") {
    object["status"] = {{"phase", "Active"}};
  } else if (e.group == "apiextensions.k8s.io" && e.kind == "CustomResourceDefinition") {
    object["status"] = crd_accepted_status(object, c.server.now());
  } else if (e.has_subresource("status") && !(e.group.empty() && e.kind == "Node")) {
    object.erase("status");
  }
}

// Namespaced objects need an existing namespace that is not being deleted.
std::optional<api_response> check_namespace(op_context& c) {
  if (!c.entry.namespaced)
    return std::nullopt;
  auto ns = c.server.db().get({"v1/namespaces", "", c.path.namespace_});
  if (!ns)
    return status_response(api::make_not_found_status("", "namespaces", c.path.namespace_));
  auto object = nlohmann::json::parse(ns->text(), nullptr, false);
  if (is_terminating(object))
    return error_response(403, "Forbidden",
                          "unable to create new content in namespace " + c.path.namespace_
                            + " because it is being terminated");
  return std::nullopt;
}

// POST pods/NAME/binding: sets spec.nodeName once, as the scheduler's Bind does.
api_response bind_pod(op_context& c) {
  api_response error;
  auto body = read_object_body(c, error);
  if (!body)
    return error;
  auto target = body->find("target");
  if (target == body->end() || !target->is_object() || !target->contains("name") || !(*target)["name"].is_string()
      || (*target)["name"].get<std::string>().empty())
    return status_response(api::make_invalid_status("", "Binding", c.path.name,
                                                    {{api::field_error_type::required, "target.name", "", ""}}));
  auto node = (*target)["name"].get<std::string>();
  auto key = key_of(c);
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto current = c.server.db().get(key);
    if (!current)
      return store_error_response(current.error(), "", "pods", c.path.name);
    auto pod = nlohmann::json::parse(current->text());
    auto& spec = pod["spec"];
    if (spec.is_object() && spec.contains("nodeName") && spec["nodeName"].is_string()
        && !spec["nodeName"].get<std::string>().empty())
      return status_response(api::make_conflict_status(
        "", "pods/binding", c.path.name,
        "pod " + c.path.name + " is already assigned to node \"" + spec["nodeName"].get<std::string>() + "\""));
    if (is_terminating(pod))
      return status_response(
        api::make_conflict_status("", "pods/binding", c.path.name, "pod " + c.path.name + " is being deleted"));
    spec["nodeName"] = node;
    auto stored = c.server.db().update(key, pod.dump(), {.resource_version = current->rv});
    if (stored)
      return json_response(201, {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
                                 {"status", "Success"}, {"code", 201}});
    if (stored.code() != store_errc::conflict)
      return store_error_response(stored.error(), "", "pods", c.path.name);
  }
  return status_response(api::make_conflict_status("", "pods/binding", c.path.name, "too many concurrent updates"));
}

} // namespace

api_response create_object(op_context& c) {
  if (c.path.subresource == "binding")
    return bind_pod(c);
  api_response error;
  auto object = read_object_body(c, error);
  if (!object)
    return error;
  if (!check_identity(c, *object, false, error))
    return error;
  if (auto ns_error = check_namespace(c))
    return *ns_error;
  return create_from(c, std::move(*object));
}

api_response create_from(op_context& c, nlohmann::json object) {
  auto& meta = metadata_of(object);
  auto name = meta.value("name", std::string());
  auto generate = meta.value("generateName", std::string());
  bool generated = name.empty() && !generate.empty();
  if (generated)
    meta["name"] = generate_name(generate);

  // Server-owned metadata: whatever the client sent there is replaced.
  meta["uid"] = new_uid();
  meta["creationTimestamp"] = rfc3339(c.server.now());
  meta["generation"] = 1;
  meta.erase("resourceVersion");
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  initial_status(c, object);

  auto admitted = admit_object(c.entry, object, c.request.query, true);
  if (!admitted.admitted)
    return admitted.error;

  std::string resource = store_resource(c.entry);
  std::string ns = c.entry.namespaced ? c.path.namespace_ : std::string();
  // A generated name can collide; kube-apiserver retries a few times as well.
  for (int attempt = 0;; ++attempt) {
    auto final_name = metadata_of(object)["name"].get<std::string>();
    auto stored = c.server.db().create({resource, ns, final_name}, object.dump());
    if (stored) {
      if (c.entry.group == "apiextensions.k8s.io" && c.entry.kind == "CustomResourceDefinition")
        (void)c.server.registry().apply_crd(object);
      auto r = text_response(201, stored->text());
      add_warnings(r, admitted.warnings);
      return r;
    }
    if (generated && stored.code() == store_errc::already_exists && attempt < 3) {
      metadata_of(object)["name"] = generate_name(generate);
      continue;
    }
    return store_error_response(stored.error(), c.entry.group, c.entry.plural, final_name);
  }
}

api_response update_object(op_context& c) {
  api_response error;
  auto object = read_object_body(c, error);
  if (!object)
    return error;
  if (!check_identity(c, *object, true, error))
    return error;
  // A missing object is NotFound whatever the body holds, as in kube-apiserver (which
  // judges the resourceVersion only against an existing object).
  auto key = key_of(c);
  auto current = c.server.db().get(key);
  if (!current)
    return store_error_response(current.error(), c.entry.group, c.entry.plural, c.path.name);
  auto rv_text = meta_string(*object, "resourceVersion");
  // Built-in kinds allow an unconditional update (no resourceVersion: last writer wins),
  // custom kinds do not (kube-apiserver's AllowUnconditionalUpdate). The built-in kinds
  // are exactly those served with strategic merge patch.
  if (rv_text.empty() && c.entry.strategic_merge_patch)
    rv_text = std::to_string(current->rv);
  if (rv_text.empty())
    return status_response(api::make_invalid_status(
      c.entry.group, c.entry.kind, c.path.name,
      {{api::field_error_type::invalid, "metadata.resourceVersion", "0x0", "must be specified for an update"}}));
  auto expected_rv = parse_resource_version(rv_text);
  if (!expected_rv)
    return error_response(400, "BadRequest", "invalid resourceVersion \"" + rv_text + "\"");
  if (current->rv != *expected_rv)
    return store_error_response({store_errc::conflict, ""}, c.entry.group, c.entry.plural, c.path.name);
  auto cur = nlohmann::json::parse(current->text());
  nlohmann::json updated;
  if (c.path.subresource == "status") {
    updated = with_status_of(cur, *object);
    metadata_of(updated).erase("resourceVersion");
  } else {
    updated = std::move(*object);
    carry_server_fields(c.entry, cur, updated);
  }
  auto r = admit_and_replace(c, key, std::move(updated), *expected_rv);
  if (r.status == 200 && c.entry.group == "apiextensions.k8s.io" && c.entry.kind == "CustomResourceDefinition")
    c.server.load_crds();
  return r;
}

} // namespace podvisor::kube::apiserver
