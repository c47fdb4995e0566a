#include "kube/apiserver/patch/patch.hpp"

#include <string>
#include <vector>

#include "kube/api/json_text.hpp"
#include "kube/api/manifest.hpp"
#include "kube/apiserver/patch/apply.hpp"
#include "kube/apiserver/patch/identity.hpp"
#include "kube/apiserver/patch/json_patch.hpp"
#include "kube/apiserver/patch/json_util.hpp"
#include "kube/apiserver/patch/merge_patch.hpp"
#include "kube/apiserver/patch/strategic_merge.hpp"
#include "kube/apiserver/patch/strategic_schema.hpp"

namespace podvisor::kube::apiserver {

namespace {

using json = nlohmann::json;

// The body as JSON, with the error prefix kube-apiserver uses for each patch type.
patch_result<json> parse_body(patch_type type, std::string_view body) {
  json parsed;
  std::string error;
  if (api::parse_json(body, parsed, error))
    return parsed;
  switch (type) {
    case patch_type::merge_patch:
      return bad_request_error("error decoding patch: " + error);
    case patch_type::apply_patch: {
      // Apply bodies are YAML by media type; kubectl sends JSON, other clients may not.
      std::vector<json> documents;
      std::string yaml_error;
      if (!api::load_manifests(body, documents, yaml_error))
        return bad_request_error("error decoding YAML: " + yaml_error);
      if (documents.size() > 1)
        return bad_request_error("error decoding YAML: an apply patch holds one object, found "
                                 + std::to_string(documents.size()) + " documents");
      return documents.empty() ? json::object() : std::move(documents.front());
    }
    case patch_type::json_patch:
    case patch_type::strategic_merge_patch:
      break;
  }
  return bad_request_error(error);
}

} // namespace

patch_result<patched_object> apply_patch(patch_type type, const json& original, std::string_view body,
                                         const patch_kind& kind) {
  if (type == patch_type::strategic_merge_patch && !kind.builtin)
    return patch_error{patch_errc::unsupported_media_type, unsupported_media_type_message(kind)};
  if (!original.is_null() && !original.is_object())
    return invalid_error("the stored object is not a JSON object");
  if (original.is_null() && type != patch_type::apply_patch)
    return patch_error{patch_errc::not_found, "the server could not find the requested resource"};

  auto parsed = parse_body(type, body);
  if (!parsed)
    return parsed.error();

  auto result = [&]() -> patch_result<json> {
    switch (type) {
      case patch_type::json_patch: return apply_json_patch(original, *parsed);
      case patch_type::merge_patch: return apply_merge_patch(original, *parsed);
      case patch_type::strategic_merge_patch:
        return apply_strategic_merge_patch(original, *parsed, strategic_schema_for(kind.kind, kind.builtin));
      case patch_type::apply_patch: return apply_configuration(original, *parsed, kind);
    }
    return bad_request_error("unknown patch type");
  }();
  if (!result)
    return result.error();

  if (detail::json_depth(*result) > api::default_max_json_depth)
    return invalid_error("the patched object is nested deeper than "
                         + std::to_string(api::default_max_json_depth) + " levels");
  if (original.is_null())
    return patched_object{std::move(result).value(), true};
  if (auto error = enforce_identity(original, *result, kind))
    return *error;
  return patched_object{std::move(result).value(), false};
}

} // namespace podvisor::kube::apiserver
