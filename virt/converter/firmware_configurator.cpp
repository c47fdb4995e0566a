#include "virt/converter/firmware_configurator.hpp"

#include "virt/converter/secure_boot.hpp"

namespace podvisor::virt {

void check_firmware(const converter_input& in, conversion_problems& problems) {
  const auto& fw = in.vmi.spec.domain.firmware;
  if (!fw)
    return;
  if (!fw->serial.empty())
    problems.unsupported.emplace_back("spec.domain.firmware.serial (SMBIOS serial)");
  if (fw->acpi)
    problems.unsupported.emplace_back("spec.domain.firmware.acpi (extra ACPI tables)");
  if (fw->bootloader && fw->bootloader->bios && fw->bootloader->efi)
    problems.invalid.emplace_back("spec.domain.firmware.bootloader: both bios and efi");
  if (fw->bootloader && fw->bootloader->efi && fw->bootloader->efi->persistent.value_or(false)
      && in.nvram_path.empty())
    problems.invalid.emplace_back(
      "spec.domain.firmware.bootloader.efi.persistent: no NVRAM path prepared for the VM");
  if (fw->kernel_boot && in.kernel_path.empty())
    problems.invalid.emplace_back("spec.domain.firmware.kernelBoot: no kernel path prepared");
}

void configure_firmware(const converter_input& in, domain& d) {
  d.os.loader.reset();
  d.os.nvram.reset();
  d.os.bios_useserial = false;
  d.os.kernel.clear();
  d.os.initrd.clear();
  d.os.cmdline.clear();
  const auto& fw = in.vmi.spec.domain.firmware;
  if (!fw)
    return;
  if (fw->bootloader && fw->bootloader->efi) {
    const bool secure = wants_secure_boot(in);
    d.os.loader = os_loader{.path = secure ? in.ovmf.secure_code : in.ovmf.code, .readonly = true, .secure = secure};
    d.os.nvram = os_nvram{.path = in.nvram_path, .template_path = secure ? in.ovmf.secure_vars : in.ovmf.vars};
  } else if (fw->bootloader && fw->bootloader->bios) {
    d.os.bios_useserial = fw->bootloader->bios->use_serial.value_or(false);
  }
  if (fw->kernel_boot) {
    d.os.kernel = in.kernel_path;
    d.os.initrd = in.initrd_path;
    d.os.cmdline = fw->kernel_boot->kernel_args;
  }
}

} // namespace podvisor::virt
