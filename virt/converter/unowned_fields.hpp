#pragma once
// The spec fields no configurator owns yet: devices and settings Podvisor does not
// produce (graphics, GPUs, TPM, ...). Listing them here makes a VMI that asks for one fail
// conversion with its field named, instead of starting without it.

#include "virt/converter/converter_input.hpp"

namespace podvisor::virt {

/// Adds every set field of `in.vmi` that no configurator converts to `problems.unsupported`.
void check_unowned_fields(const converter_input& in, conversion_problems& problems);

} // namespace podvisor::virt
