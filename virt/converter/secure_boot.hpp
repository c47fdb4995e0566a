#pragma once
// Whether a VMI boots with EFI secure boot. Two aspects depend on it (firmware picks the
// signed OVMF image, features turns on SMM), so the rule lives in one place.

#include "virt/converter/converter_input.hpp"

namespace podvisor::virt {

/// True for EFI with secureBoot unset or true (KubeVirt's default is on).
inline bool wants_secure_boot(const converter_input& in) {
  const auto& fw = in.vmi.spec.domain.firmware;
  if (!fw || !fw->bootloader || !fw->bootloader->efi)
    return false;
  return fw->bootloader->efi->secure_boot.value_or(true);
}

} // namespace podvisor::virt
