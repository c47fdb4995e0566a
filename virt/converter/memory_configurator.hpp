#pragma once
// Memory: the guest's memory from spec.domain.memory.guest, else the memory request,
// else the memory limit (KubeVirt's order), in KiB rounded up.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the memory aspect of `in` asks for that cannot be converted.
void check_memory(const converter_input& in, conversion_problems& problems);

/// Sets the memory aspect of `d` from `in`; `in` has passed check_memory.
void configure_memory(const converter_input& in, domain& d);

} // namespace podvisor::virt
