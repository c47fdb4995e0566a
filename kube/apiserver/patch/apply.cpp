#include "kube/apiserver/patch/apply.hpp"

#include <string>

#include "kube/apiserver/patch/json_util.hpp"
#include "kube/apiserver/patch/strategic_merge.hpp"
#include "kube/apiserver/patch/strategic_schema.hpp"

namespace podvisor::kube::apiserver {

patch_result<nlohmann::json> apply_configuration(const nlohmann::json& original, const nlohmann::json& config,
                                                 const patch_kind& kind) {
  if (!config.is_object())
    return bad_request_error(std::string("error decoding YAML: json: cannot unmarshal ")
                             + detail::go_json_type(config) + " into Go value of type map[string]interface {}");
  auto version_it = config.find("apiVersion");
  std::string version = version_it != config.end() && version_it->is_string() ? version_it->get<std::string>() : "";
  if (version != kind.api_version())
    return bad_request_error("Incorrect version specified in apply patch. Specified patch version: " + version
                             + ", expected: " + kind.api_version());
  if (auto meta = config.find("metadata"); meta != config.end() && meta->is_object()) {
    if (auto managed = meta->find("managedFields"); managed != meta->end() && !managed->is_null())
      return bad_request_error("metadata.managedFields must be nil");
  }

  const auto& schema = strategic_schema_for(kind.kind, kind.builtin);
  // Merging into an empty object also drops the configuration's nulls.
  const nlohmann::json base = original.is_null() ? nlohmann::json::object() : original;
  auto merged = apply_strategic_merge_patch(base, config, schema);
  if (!merged)
    return merged;
  if (original.is_null() && !merged->contains("kind"))
    merged.value()["kind"] = kind.kind;
  return merged;
}

} // namespace podvisor::kube::apiserver
