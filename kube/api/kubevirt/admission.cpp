#include "kube/api/kubevirt/admission.hpp"

#include "kube/api/kubevirt/defaults.hpp"
#include "kube/api/kubevirt/migration.hpp"
#include "kube/api/kubevirt/vm.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/api/validation/migration.hpp"
#include "kube/api/validation/vm.hpp"
#include "kube/api/validation/vmi.hpp"

namespace podvisor::kube::api {

namespace {

std::string string_member(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string display_name(const object_meta& meta) {
  std::string name = meta.name.empty() ? meta.generate_name + "*" : meta.name;
  return meta.namespace_.empty() ? name : meta.namespace_ + "/" + name;
}

template <class T>
admission_result admit_as(const json& object) {
  admission_result result;
  result.kind = std::string(kind_info<T>::value.kind);
  auto decoded = decode<T>(object);
  result.name = display_name(decoded.value.metadata);
  result.unknown_fields = std::move(decoded.unknown);
  if (!decoded.ok()) {
    // A type error leaves fields unset; validating that would add misleading errors.
    result.failure = admission_failure::malformed;
    result.errors = std::move(decoded.errors);
    return result;
  }
  set_defaults(decoded.value);
  result.errors = validate(decoded.value);
  if (!result.errors.empty()) {
    result.failure = admission_failure::invalid;
    return result;
  }
  result.object = encode(decoded.value);
  return result;
}

template <class T>
bool is_kind(const std::string& api_version, const std::string& kind) {
  return api_version == kind_info<T>::value.api_version() && kind == kind_info<T>::value.kind;
}

} // namespace

bool is_admitted_kind(const json& object) {
  if (!object.is_object())
    return false;
  auto api_version = string_member(object, "apiVersion");
  auto kind = string_member(object, "kind");
  return is_kind<virtual_machine_instance>(api_version, kind)
         || is_kind<virtual_machine>(api_version, kind)
         || is_kind<virtual_machine_instance_migration>(api_version, kind);
}

admission_result admit(const json& object) {
  if (!object.is_object()) {
    admission_result result;
    result.failure = admission_failure::malformed;
    result.errors.push_back({field_error_type::type_invalid, "<root>", detail::render_value(object),
                             "must be of type object"});
    return result;
  }
  auto api_version = string_member(object, "apiVersion");
  auto kind = string_member(object, "kind");
  if (is_kind<virtual_machine_instance>(api_version, kind))
    return admit_as<virtual_machine_instance>(object);
  if (is_kind<virtual_machine>(api_version, kind))
    return admit_as<virtual_machine>(object);
  if (is_kind<virtual_machine_instance_migration>(api_version, kind))
    return admit_as<virtual_machine_instance_migration>(object);

  admission_result result;
  result.failure = admission_failure::unsupported;
  result.kind = kind;
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object())
    result.name = string_member(*meta, "name");
  if (api_version.empty())
    result.errors.push_back({field_error_type::required, "apiVersion", "", ""});
  if (kind.empty())
    result.errors.push_back({field_error_type::required, "kind", "", ""});
  if (result.errors.empty())
    result.errors.push_back(
      {field_error_type::unsupported, "kind", quote(api_version + "/" + kind),
       "supported kinds: \"kubevirt.io/v1/VirtualMachine\", \"kubevirt.io/v1/VirtualMachineInstance\", "
       "\"kubevirt.io/v1/VirtualMachineInstanceMigration\""});
  return result;
}

std::string admission_result::summary() const {
  std::string subject = (kind.empty() ? std::string("object") : kind) + (name.empty() ? "" : " " + name);
  switch (failure) {
    case admission_failure::none: return subject + ": valid";
    case admission_failure::unsupported: return subject + ": not a kind Podvisor serves";
    case admission_failure::malformed:
    case admission_failure::invalid: {
      auto n = errors.size();
      return subject + " is invalid (" + std::to_string(n) + (n == 1 ? " error)" : " errors)");
    }
  }
  return subject;
}

} // namespace podvisor::kube::api
