#include "virt/converter/unowned_fields.hpp"

namespace podvisor::virt {

void check_unowned_fields(const converter_input& in, conversion_problems& problems) {
  const auto& domain = in.vmi.spec.domain;
  const auto& dev = domain.devices;
  auto refuse = [&](bool set, const char* field) {
    if (set)
      problems.unsupported.emplace_back(field);
  };
  // Graphics and input devices default to on in KubeVirt; Podvisor guests are headless,
  // so only an explicit request is refused.
  refuse(dev.autoattach_graphics_device == true, "spec.domain.devices.autoattachGraphicsDevice");
  refuse(dev.autoattach_input_device == true, "spec.domain.devices.autoattachInputDevice");
  refuse(dev.autoattach_vsock == true, "spec.domain.devices.autoattachVSOCK");
  refuse(dev.use_virtio_transitional == true, "spec.domain.devices.useVirtioTransitional");
  refuse(dev.block_multi_queue == true, "spec.domain.devices.blockMultiQueue");
  refuse(dev.network_interface_multiqueue == true, "spec.domain.devices.networkInterfaceMultiqueue");
  refuse(dev.log_serial_console == true && in.serial_log_path.empty(),
         "spec.domain.devices.logSerialConsole (no log path prepared)");
  refuse(dev.watchdog.has_value(), "spec.domain.devices.watchdog");
  refuse(!dev.inputs.empty(), "spec.domain.devices.inputs");
  refuse(!dev.gpus.empty(), "spec.domain.devices.gpus");
  refuse(dev.downward_metrics.has_value(), "spec.domain.devices.downwardMetrics");
  refuse(!dev.panic_devices.empty(), "spec.domain.devices.panicDevices");
  refuse(!dev.filesystems.empty(), "spec.domain.devices.filesystems");
  refuse(!dev.host_devices.empty(), "spec.domain.devices.hostDevices");
  refuse(dev.client_passthrough.has_value(), "spec.domain.devices.clientPassthrough");
  refuse(dev.sound.has_value(), "spec.domain.devices.sound");
  refuse(dev.tpm && dev.tpm->enabled.value_or(true), "spec.domain.devices.tpm");
  refuse(dev.video.has_value(), "spec.domain.devices.video");
  refuse(domain.io_threads_policy_.has_value(), "spec.domain.ioThreadsPolicy");
  refuse(domain.io_threads.has_value(), "spec.domain.ioThreads");
  refuse(domain.chassis.has_value(), "spec.domain.chassis");
  refuse(domain.launch_security.has_value(), "spec.domain.launchSecurity");
}

} // namespace podvisor::virt
