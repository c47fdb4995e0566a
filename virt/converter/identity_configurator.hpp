#pragma once
// Identity and lifecycle: domain type, name (<namespace>_<name>, as KubeVirt names
// domains, so two namespaces never collide on one libvirt), UUID from firmware.uuid, and
// what a guest power-off, reboot or crash does (rebootPolicy: Terminate ends the VM).

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the identity aspect of `in` asks for that cannot be converted.
void check_identity(const converter_input& in, conversion_problems& problems);

/// Sets the identity aspect of `d` from `in`; `in` has passed check_identity.
void configure_identity(const converter_input& in, domain& d);

} // namespace podvisor::virt
