#pragma once
// Firmware: SeaBIOS (default), EFI with Debian's OVMF images (secure boot needs the
// secboot image and SMM), or direct kernel boot with the kernel and initrd the launcher
// extracted from firmware.kernelBoot's container.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the firmware aspect of `in` asks for that cannot be converted.
void check_firmware(const converter_input& in, conversion_problems& problems);

/// Sets the firmware aspect of `d` from `in`; `in` has passed check_firmware.
void configure_firmware(const converter_input& in, domain& d);

} // namespace podvisor::virt
