#include "virt/converter/controllers_configurator.hpp"

#include <algorithm>

namespace podvisor::virt {

void check_controllers(const converter_input&, conversion_problems&) {}

void configure_controllers(const converter_input&, domain& d) {
  auto& disks = d.devices.disks;
  auto on = [&](disk_bus bus) {
    return std::any_of(disks.begin(), disks.end(), [bus](const disk& x) { return x.bus == bus; });
  };
  d.devices.controllers.clear();
  if (on(disk_bus::scsi))
    d.devices.controllers.push_back({controller_type::scsi, 0, "virtio-scsi"});
  d.devices.controllers.push_back({controller_type::usb, 0, on(disk_bus::usb) ? "qemu-xhci" : "none"});
}

} // namespace podvisor::virt
