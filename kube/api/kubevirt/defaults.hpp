#pragma once
// KubeVirt's defaulting of VMs, VMIs and migrations: what virt-api's mutating webhooks
// (and the API types' generated defaulters) fill in before an object is validated and
// stored, for a cluster with KubeVirt's default configuration. Pipeline position:
// parse -> decode -> default -> validate.
//
// Every function here is idempotent and never overrides a value the user set; running it
// on every write is safe. What KubeVirt only does when an object is created (finalizers,
// the first phase) is in the set_create_defaults functions.

#include <cstdint>
#include <string_view>

#include "kube/api/kubevirt/migration.hpp"
#include "kube/api/kubevirt/vm.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// Grace period used when a VMI does not set one (KubeVirt's DefaultGracePeriodSeconds).
inline constexpr std::int64_t default_termination_grace_period_seconds = 30;

/// Finalizer the VMI controller holds until the launcher pod is gone.
inline constexpr std::string_view vmi_finalizer = "kubevirt.io/foregroundDeleteVirtualMachine";
/// Finalizer the migration controller holds until the migration is cleaned up.
inline constexpr std::string_view migration_finalizer = "kubevirt.io/migrationJobFinalize";
/// Label on a migration naming its VMI (so migrations can be selected by VMI).
inline constexpr std::string_view migration_vmi_name_label = "kubevirt.io/vmi-name";

/// The architecture this build defaults guests to: amd64, arm64 or s390x.
std::string_view default_architecture();

/// The machine type for `architecture` (q35 on amd64, virt on arm64, s390-ccw-virtio on
/// s390x; amd64's for anything else).
std::string_view default_machine_type(std::string_view architecture);

/// Defaults a VMI spec as KubeVirt does for a VMI named `name` (the name seeds the
/// firmware UUID; an empty name leaves the UUID unset). Used for VMIs and VM templates.
void set_defaults(vmi_spec& spec, std::string_view name);

/// Defaults a VMI: its spec, and the status fields derived from it (currentCPUTopology,
/// memory) when they are not set yet.
void set_defaults(virtual_machine_instance& vmi);

/// Defaults a VM: its template's spec, as for a VMI named like the VM. The run strategy
/// is left alone (no runStrategy and no running means Halted; see effective_run_strategy).
void set_defaults(virtual_machine& vm);

/// Defaults a migration: labels it with its VMI's name.
void set_defaults(virtual_machine_instance_migration& migration);

/// set_defaults, plus what KubeVirt adds when a VMI is created: the VMI finalizer, and
/// phase Pending (entered at `now`) when no phase is set.
void set_create_defaults(virtual_machine_instance& vmi, timestamp now);

/// set_defaults, plus the migration finalizer that KubeVirt adds on create.
void set_create_defaults(virtual_machine_instance_migration& migration);

} // namespace podvisor::kube::api
