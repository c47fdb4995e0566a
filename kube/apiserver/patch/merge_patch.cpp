#include "kube/apiserver/patch/merge_patch.hpp"

#include <string>

#include "kube/apiserver/patch/json_util.hpp"

namespace podvisor::kube::apiserver {

patch_result<nlohmann::json> apply_merge_patch(const nlohmann::json& original, const nlohmann::json& patch) {
  if (patch.is_null())
    return bad_request_error("Invalid JSON Patch");
  if (!patch.is_object())
    return bad_request_error(std::string("error decoding patch: json: cannot unmarshal ")
                             + detail::go_json_type(patch)
                             + " into Go value of type map[string]interface {}");
  nlohmann::json result = original;
  // nlohmann's merge_patch is RFC 7386's algorithm verbatim and does not throw; it
  // recurses once per level of the patch, which parse_json has already bounded.
  result.merge_patch(patch);
  return result;
}

} // namespace podvisor::kube::apiserver
