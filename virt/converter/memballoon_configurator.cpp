#include "virt/converter/memballoon_configurator.hpp"

namespace podvisor::virt {

void check_memballoon(const converter_input&, conversion_problems&) {}

void configure_memballoon(const converter_input& in, domain& d) {
  d.devices.memballoon_model = in.vmi.spec.domain.devices.autoattach_mem_balloon == false ? "none" : "virtio";
}

} // namespace podvisor::virt
