#pragma once
// Controllers: a virtio-scsi controller when a disk sits on the scsi bus; the USB
// controller libvirt adds by default is switched off when nothing uses USB (one device
// less for the guest to probe at boot).

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the controllers aspect of `in` asks for that cannot be converted.
void check_controllers(const converter_input& in, conversion_problems& problems);

/// Sets the controllers aspect of `d` from `in`; `in` has passed check_controllers.
void configure_controllers(const converter_input& in, domain& d);

} // namespace podvisor::virt
