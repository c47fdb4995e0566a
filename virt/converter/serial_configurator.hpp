#pragma once
// Serial console: the guest's ttyS0 on a pty (so a console can attach), copied to the
// log file the caller names; none when autoattachSerialConsole is false.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the serial aspect of `in` asks for that cannot be converted.
void check_serial(const converter_input& in, conversion_problems& problems);

/// Sets the serial aspect of `d` from `in`; `in` has passed check_serial.
void configure_serial(const converter_input& in, domain& d);

} // namespace podvisor::virt
