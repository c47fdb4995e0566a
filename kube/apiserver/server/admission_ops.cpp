#include "kube/apiserver/server/admission_ops.hpp"

#include "kube/api/core/config.hpp"
#include "kube/api/core/event.hpp"
#include "kube/api/core/lease.hpp"
#include "kube/api/core/namespace.hpp"
#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/api/core/pvc.hpp"
#include "kube/api/core/status.hpp"
#include "kube/api/kubevirt/admission.hpp"
#include "kube/api/validation/meta.hpp"
#include "kube/apiserver/resources/crd.hpp"
#include "kube/apiserver/server/responses.hpp"

namespace podvisor::kube::apiserver {

namespace {

struct decode_outcome {
  api::field_errors errors;
  std::vector<std::string> unknown;
  api::object_meta meta;
  bool known_kind = true;
};

template <class T>
decode_outcome decode_as(const nlohmann::json& object) {
  auto d = api::decode<T>(object);
  return {std::move(d.errors), std::move(d.unknown), std::move(d.value.metadata), true};
}

// Built-in core kinds are decoded only to find type errors and unknown fields; the stored
// object is the request's JSON itself, so nothing a client sent is reshaped.
decode_outcome decode_core(const resource_entry& entry, const nlohmann::json& object) {
  const auto& k = entry.kind;
  if (entry.group.empty()) {
    if (k == "Pod")
      return decode_as<api::pod>(object);
    if (k == "Node")
      return decode_as<api::node>(object);
    if (k == "Namespace")
      return decode_as<api::namespace_>(object);
    if (k == "Event")
      return decode_as<api::event>(object);
    if (k == "ConfigMap")
      return decode_as<api::config_map>(object);
    if (k == "Secret")
      return decode_as<api::secret>(object);
    if (k == "PersistentVolumeClaim")
      return decode_as<api::persistent_volume_claim>(object);
  }
  if (entry.group == "coordination.k8s.io" && k == "Lease")
    return decode_as<api::lease>(object);
  // CRDs and custom resources: only metadata is typed.
  decode_outcome out;
  out.known_kind = false;
  if (auto meta = object.find("metadata"); meta != object.end()) {
    auto d = api::decode<api::object_meta>(*meta);
    for (auto& e : d.errors) {
      e.field = "metadata." + e.field;
      out.errors.push_back(std::move(e));
    }
    out.meta = std::move(d.value);
  }
  return out;
}

std::string object_name(const nlohmann::json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object())
    return {};
  auto name = meta->find("name");
  return name != meta->end() && name->is_string() ? name->get<std::string>() : std::string();
}

api_response invalid(const resource_entry& entry, const nlohmann::json& object, const api::field_errors& errors) {
  return status_response(api::make_invalid_status(entry.group, entry.kind, object_name(object), errors));
}

// fieldValidation: Strict rejects unknown fields, Warn (the default) reports them in
// Warning headers, Ignore drops the report.
bool handle_unknown(const std::vector<std::string>& unknown, const query_params& query, admission_outcome& out) {
  if (unknown.empty())
    return true;
  auto mode = param(query, "fieldValidation");
  if (mode == "Ignore")
    return true;
  if (mode == "Strict") {
    std::string message = "strict decoding error: ";
    for (std::size_t i = 0; i < unknown.size(); ++i) {
      if (i > 0)
        message += ", ";
      message += "unknown field \"" + unknown[i] + "\"";
    }
    out.error = error_response(400, "BadRequest", message);
    return false;
  }
  for (const auto& field : unknown)
    out.warnings.push_back("299 - \"unknown field \\\"" + field + "\\\"\"");
  return true;
}

} // namespace

admission_outcome admit_object(const resource_entry& entry, nlohmann::json& object, const query_params& query,
                               bool creating) {
  admission_outcome out;
  auto mode = param(query, "fieldValidation");
  if (!mode.empty() && mode != "Strict" && mode != "Warn" && mode != "Ignore") {
    out.error = error_response(400, "BadRequest",
                               "fieldValidation parameter unsupported: " + std::string(mode)
                                 + ". Supported values are: Ignore, Warn, Strict");
    return out;
  }

  if (entry.group == "kubevirt.io") {
    auto result = api::admit(object);
    if (!handle_unknown(result.unknown_fields, query, out))
      return out;
    if (!result.ok()) {
      out.error = invalid(entry, object, result.errors);
      return out;
    }
    object = std::move(result.object);
    out.admitted = true;
    return out;
  }

  auto decoded = decode_core(entry, object);
  if (!decoded.errors.empty()) {
    out.error = invalid(entry, object, decoded.errors);
    return out;
  }
  // Unknown fields are judged only for typed kinds; a custom resource has no schema here.
  if (decoded.known_kind && !handle_unknown(decoded.unknown, query, out))
    return out;

  api::object_meta_options meta_options;
  meta_options.namespaced = entry.namespaced;
  meta_options.names = entry.group.empty() && entry.kind == "Namespace" ? api::name_rule::dns1123_label
                                                                         : api::name_rule::dns1123_subdomain;
  auto errors = api::validate_object_meta(decoded.meta, meta_options);
  (void)creating; // generateName is resolved into a name before admission
  if (entry.group == "apiextensions.k8s.io" && entry.kind == "CustomResourceDefinition") {
    auto crd = entries_from_crd(object);
    errors.insert(errors.end(), crd.errors.begin(), crd.errors.end());
  }
  if (!errors.empty()) {
    out.error = invalid(entry, object, errors);
    return out;
  }
  out.admitted = true;
  return out;
}

} // namespace podvisor::kube::apiserver
