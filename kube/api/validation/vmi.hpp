#pragma once
// Validation of kubevirt.io/v1 VirtualMachineInstance on create: what KubeVirt's
// vmi-create admitter and network admitter check, reported as Kubernetes field errors,
// every problem at once. Runs after decoding and defaulting; status is not validated.
//
// Deliberate differences from KubeVirt: feature gates and cluster configuration are not
// consulted (no rule depends on them); messages use Kubernetes' field-error shapes
// (`spec.domain.devices.disks[0].name: Not found: "root"`) instead of KubeVirt's free text.

#include "kube/api/field_error.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/api/validation/field_path.hpp"

namespace podvisor::kube::api {

/// Every problem with a VMI: metadata (name a DNS subdomain, namespace a DNS label,
/// labels, annotations...), its spec (see validate_vmi_spec), and the memory request a VMI
/// (unlike a VM template) must have.
field_errors validate(const virtual_machine_instance& vmi);

/// Every problem with a VMI spec found at `path` (`spec` for a VMI, `spec.template.spec`
/// for a VM): disks and volumes, interfaces and networks, domain sizes, firmware, probes,
/// hostname and subdomain, and any enum field set to an unknown value.
field_errors validate_vmi_spec(const vmi_spec& spec, const field_path& path);

} // namespace podvisor::kube::api
