#pragma once
// Features: ACPI (on unless disabled: the launcher's graceful shutdown is an ACPI
// power-button press), APIC, SMM, paravirtual spinlocks, hiding KVM. Hyper-V
// enlightenments are refused for now.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the features aspect of `in` asks for that cannot be converted.
void check_features(const converter_input& in, conversion_problems& problems);

/// Sets the features aspect of `d` from `in`; `in` has passed check_features.
void configure_features(const converter_input& in, domain& d);

} // namespace podvisor::virt
