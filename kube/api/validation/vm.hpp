#pragma once
// Validation of kubevirt.io/v1 VirtualMachine on create and update, after KubeVirt's vms
// admitter: metadata, the run strategy (and the deprecated `running`), and the VMI
// template, whose spec gets every VMI spec rule under `spec.template.spec`.

#include "kube/api/field_error.hpp"
#include "kube/api/kubevirt/vm.hpp"

namespace podvisor::kube::api {

/// Every problem with a VM. Status is not validated.
field_errors validate(const virtual_machine& vm);

} // namespace podvisor::kube::api
