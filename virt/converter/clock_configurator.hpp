#pragma once
// Clock: UTC (default), UTC shifted by offsetSeconds, or a time zone; timers with their
// tick policies.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the clock aspect of `in` asks for that cannot be converted.
void check_clock(const converter_input& in, conversion_problems& problems);

/// Sets the clock aspect of `d` from `in`; `in` has passed check_clock.
void configure_clock(const converter_input& in, domain& d);

} // namespace podvisor::virt
