#pragma once
// Validation of kubevirt.io/v1 VirtualMachineInstanceMigration on create, after KubeVirt's
// migration-create admitter: the migration names the VMI to move. Whether that VMI exists,
// is migratable and has no other migration in flight needs the store and is checked by the
// API server, not here.

#include "kube/api/field_error.hpp"
#include "kube/api/kubevirt/migration.hpp"

namespace podvisor::kube::api {

/// Every problem with a migration: metadata, spec.vmiName (required, a DNS subdomain as
/// every VMI name is), spec.addedNodeSelector (label syntax), enum values. Status is not
/// validated.
field_errors validate(const virtual_machine_instance_migration& migration);

} // namespace podvisor::kube::api
