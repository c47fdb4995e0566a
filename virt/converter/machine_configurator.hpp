#pragma once
// Machine: the QEMU machine type (q35 unless the spec says otherwise) and the guest
// architecture (x86_64 only for now).

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the machine aspect of `in` asks for that cannot be converted.
void check_machine(const converter_input& in, conversion_problems& problems);

/// Sets the machine aspect of `d` from `in`; `in` has passed check_machine.
void configure_machine(const converter_input& in, domain& d);

} // namespace podvisor::virt
