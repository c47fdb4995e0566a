#include "kube/apiserver/patch/identity.hpp"

#include <string>
#include <string_view>

#include "kube/api/field_error.hpp"

namespace podvisor::kube::apiserver {

namespace {

using json = nlohmann::json;

// A string member, "" when absent or not a string.
std::string string_member(const json& object, std::string_view key) {
  if (!object.is_object())
    return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& metadata_of(const json& object) {
  static const json empty = json::object();
  if (!object.is_object())
    return empty;
  auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? *it : empty;
}

// metadata of `patched`, created when missing (a patch that drops metadata loses the name
// and is reported as a name mismatch; the other fields need somewhere to be restored to).
json& writable_metadata(json& patched) {
  auto& meta = patched["metadata"];
  if (!meta.is_object())
    meta = json::object();
  return meta;
}

// Puts `value` back under `key` when the patch removed it (or emptied it).
void restore(json& object, std::string_view key, const std::string& value) {
  if (!value.empty() && string_member(object, key).empty())
    object[std::string(key)] = value;
}

} // namespace

std::optional<patch_error> enforce_identity(const json& original, json& patched, const patch_kind& kind) {
  if (!patched.is_object())
    return invalid_error("the patched object is not a JSON object");

  const std::string expected_api_version = kind.api_version();
  restore(patched, "apiVersion", expected_api_version);
  auto api_version = string_member(patched, "apiVersion");
  if (api_version != expected_api_version)
    return bad_request_error("the API version in the data (" + api_version
                             + ") does not match the expected API version (" + expected_api_version + ")");

  const json& meta = metadata_of(original);
  const auto name = string_member(meta, "name");
  restore(patched, "kind", kind.kind);
  auto patched_kind = string_member(patched, "kind");
  if (patched_kind != kind.kind) {
    // Named the way the CRD handler names it: the kind found in the data, with the group.
    auto qualified = kind.group.empty() ? patched_kind : patched_kind + "." + kind.group;
    return invalid_error(qualified + " " + api::quote(name) + " is invalid: kind: Invalid value: "
                         + api::quote(patched_kind) + ": must be " + kind.kind);
  }

  auto patched_name = string_member(metadata_of(patched), "name");
  if (patched_name != name)
    return bad_request_error("the name of the object (" + patched_name + ") does not match the name on the URL ("
                             + name + ")");

  auto& patched_meta = writable_metadata(patched);
  const auto namespace_ = string_member(meta, "namespace");
  if (namespace_.empty()) {
    patched_meta.erase("namespace"); // cluster-scoped: EnsureObjectNamespaceMatchesRequestNamespace clears it
  } else {
    restore(patched_meta, "namespace", namespace_);
    if (string_member(patched_meta, "namespace") != namespace_)
      return bad_request_error(
        "the namespace of the provided object does not match the namespace sent on the request");
  }

  const auto uid = string_member(meta, "uid");
  restore(patched_meta, "uid", uid);
  auto patched_uid = string_member(patched_meta, "uid");
  if (patched_uid != uid) {
    api::field_error e{api::field_error_type::invalid, "metadata.uid", api::quote(patched_uid), "field is immutable"};
    return invalid_error(kind.qualified_kind() + " " + api::quote(name) + " is invalid: " + e.message());
  }
  return std::nullopt;
}

} // namespace podvisor::kube::apiserver
