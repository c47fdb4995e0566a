#include "kube/api/validation/migration.hpp"

#include "kube/api/validation/enums.hpp"
#include "kube/api/validation/meta.hpp"
#include "kube/api/validation/names.hpp"

namespace podvisor::kube::api {

field_errors validate(const virtual_machine_instance_migration& migration) {
  auto errors = validate_object_meta(migration.metadata);
  field_path spec{"spec"};
  validate_dns1123_subdomain(migration.spec.vmi_name, spec.child("vmiName"), errors);
  validate_labels(migration.spec.added_node_selector, spec.child("addedNodeSelector"), errors);
  check_enums(migration.spec, spec, errors);
  return errors;
}

} // namespace podvisor::kube::api
