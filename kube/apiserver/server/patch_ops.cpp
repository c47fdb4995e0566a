// PATCH: merge, JSON, strategic merge (core kinds) and server-side apply (create or
// merge). The patch is applied to the current object and the result goes through the
// same path as an update, retried on conflict (a patch needs no resourceVersion).

#include "kube/apiserver/patch/patch.hpp"
#include "kube/apiserver/server/object_ops.hpp"
#include "kube/apiserver/server/resource_ops.hpp"
#include "kube/apiserver/server/responses.hpp"
#include "kube/apiserver/server/write_support.hpp"

namespace podvisor::kube::apiserver {

namespace {

constexpr int max_patch_attempts = 5;

api_response patch_error_response(const patch_error& e) {
  return error_response(e.http_code(), e.reason(), e.message);
}

bool is_crd(const resource_entry& e) {
  return e.group == "apiextensions.k8s.io" && e.kind == "CustomResourceDefinition";
}

} // namespace

api_response patch_object(op_context& c) {
  const auto& r = c.request;
  if (r.body.size() > c.server.options().max_body_bytes)
    return error_response(413, "RequestEntityTooLarge", "the request body is too large");
  patch_kind kind{c.entry.group, c.entry.version, c.entry.kind, c.entry.strategic_merge_patch};
  auto parsed_type = parse_patch_type(r.content_type, kind);
  if (!parsed_type)
    return patch_error_response(parsed_type.error());
  auto type = parsed_type.value();

  auto key = key_of(c);
  for (int attempt = 0; attempt < max_patch_attempts; ++attempt) {
    auto current = c.server.db().get(key);
    if (!current) {
      if (current.code() == store_errc::not_found && type == patch_type::apply_patch && c.path.subresource.empty()) {
        // Server-side apply creates what does not exist yet.
        api_response error;
        auto applied = apply_patch(type, nlohmann::json(), r.body, kind);
        if (!applied)
          return patch_error_response(applied.error());
        auto object = std::move(applied.value().object);
        if (!check_identity(c, object, true, error))
          return error;
        return create_from(c, std::move(object));
      }
      return store_error_response(current.error(), c.entry.group, c.entry.plural, c.path.name);
    }
    auto original = nlohmann::json::parse(current->text());
    auto applied = apply_patch(type, original, r.body, kind);
    if (!applied)
      return patch_error_response(applied.error());
    auto patched = std::move(applied.value().object);

    // A resourceVersion in the patch is a precondition, as in Kubernetes.
    std::uint64_t expected = current->rv;
    auto rv_text = meta_string(patched, "resourceVersion");
    if (!rv_text.empty() && rv_text != format_resource_version(current->rv))
      return store_error_response({store_errc::conflict, ""}, c.entry.group, c.entry.plural, c.path.name);

    nlohmann::json updated;
    if (c.path.subresource == "status") {
      updated = with_status_of(original, patched);
      metadata_of(updated).erase("resourceVersion");
    } else {
      updated = std::move(patched);
      carry_server_fields(c.entry, original, updated);
    }
    auto response = admit_and_replace(c, key, std::move(updated), expected);
    bool conflict = response.status == 409 && response.body.find("\"Conflict\"") != std::string::npos;
    if (conflict && rv_text.empty())
      continue; // someone else wrote in between: re-read and re-apply
    if (response.status == 200 && is_crd(c.entry))
      c.server.load_crds();
    return response;
  }
  return store_error_response({store_errc::conflict, ""}, c.entry.group, c.entry.plural, c.path.name);
}

} // namespace podvisor::kube::apiserver
