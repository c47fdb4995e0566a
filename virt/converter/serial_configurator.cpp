#include "virt/converter/serial_configurator.hpp"

namespace podvisor::virt {

void check_serial(const converter_input&, conversion_problems&) {}

void configure_serial(const converter_input& in, domain& d) {
  d.devices.serial.reset();
  if (in.vmi.spec.domain.devices.autoattach_serial_console == false)
    return;
  d.devices.serial = serial_console{.type = serial_type::pty, .path = {}, .log_file = in.serial_log_path};
}

} // namespace podvisor::virt
