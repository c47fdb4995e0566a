#include "virt/converter/controllers_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("controllers: virtio-scsi only for scsi disks, USB off unless used", "[virt][converter]") {
  struct row {
    std::vector<disk_bus> buses;
    std::vector<controller> controllers;
  };
  const std::vector<row> rows = {
    {{}, {{controller_type::usb, 0, "none"}}},
    {{disk_bus::virtio, disk_bus::sata}, {{controller_type::usb, 0, "none"}}},
    {{disk_bus::scsi, disk_bus::scsi}, {{controller_type::scsi, 0, "virtio-scsi"}, {controller_type::usb, 0, "none"}}},
    {{disk_bus::usb}, {{controller_type::usb, 0, "qemu-xhci"}}},
  };
  auto in = input_from(R"({"domain":{"devices":{}}})");
  for (const auto& r : rows) {
    INFO(r.buses.size() << " disks");
    domain d;
    for (auto bus : r.buses) {
      disk x;
      x.bus = bus;
      d.devices.disks.push_back(x);
    }
    configure_controllers(in, d);
    CHECK(d.devices.controllers == r.controllers);
  }
}
