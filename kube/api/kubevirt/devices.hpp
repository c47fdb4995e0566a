#pragma once
// kubevirt.io/v1 Devices: disks, NICs, input devices, watchdog, TPM, filesystems and the
// switches for the devices KubeVirt attaches on its own (serial console, VNC graphics,
// memory balloon, pod interface).

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kubevirt/common.hpp"
#include "kube/api/kubevirt/disks.hpp"
#include "kube/api/kubevirt/networks.hpp"

namespace podvisor::kube::api {

/// WatchdogAction: what happens when the guest stops feeding the watchdog.
enum class watchdog_action { poweroff, reset, shutdown };

template <>
struct enum_table<watchdog_action> {
  static constexpr std::array entries = {
    enum_entry{watchdog_action::poweroff, "poweroff"},
    enum_entry{watchdog_action::reset, "reset"},
    enum_entry{watchdog_action::shutdown, "shutdown"},
  };
};

/// I6300ESBWatchdog and Diag288Watchdog: a watchdog model and its action.
struct watchdog_model {
  enum_field<watchdog_action> action;
  unknown_fields unknown;
  bool operator==(const watchdog_model&) const = default;
};

template <class F>
void describe(F& f, watchdog_model& x) {
  f("action", x.action, {.doc = "poweroff, reset (default) or shutdown."});
}

/// Watchdog: a named watchdog device; exactly one model.
struct watchdog_device {
  std::string name;
  std::optional<watchdog_model> i6300esb;
  std::optional<watchdog_model> diag288;
  unknown_fields unknown;
  bool operator==(const watchdog_device&) const = default;
};

template <class F>
void describe(F& f, watchdog_device& x) {
  f("name", x.name, {.required = true, .doc = "Name of the watchdog."});
  f("i6300esb", x.i6300esb, {.doc = "Intel 6300ESB watchdog (x86)."});
  f("diag288", x.diag288, {.doc = "diag288 watchdog (s390x)."});
}

/// InputBus.
enum class input_bus { usb, virtio };

template <>
struct enum_table<input_bus> {
  static constexpr std::array entries = {
    enum_entry{input_bus::usb, "usb"},
    enum_entry{input_bus::virtio, "virtio"},
  };
};

/// InputType.
enum class input_type { tablet, keyboard };

template <>
struct enum_table<input_type> {
  static constexpr std::array entries = {
    enum_entry{input_type::tablet, "tablet"},
    enum_entry{input_type::keyboard, "keyboard"},
  };
};

/// Input: an input device (a USB tablet gives VNC an absolute pointer).
struct input_device {
  enum_field<input_bus> bus;
  enum_field<input_type> type;
  std::string name;
  unknown_fields unknown;
  bool operator==(const input_device&) const = default;
};

template <class F>
void describe(F& f, input_device& x) {
  f("bus", x.bus, {.doc = "usb (default) or virtio."});
  f("type", x.type, {.required = true, .doc = "tablet (default) or keyboard."});
  f("name", x.name, {.required = true, .doc = "Device name."});
}

/// Filesystem: a volume shared with the guest through virtiofs instead of as a disk.
struct filesystem_device {
  std::string name;
  std::optional<empty_object> virtiofs;
  unknown_fields unknown;
  bool operator==(const filesystem_device&) const = default;
};

template <class F>
void describe(F& f, filesystem_device& x) {
  f("name", x.name, {.required = true, .doc = "Name of the volume to share."});
  f("virtiofs", x.virtiofs, {.required = true, .doc = "Share through virtiofs."});
}

/// TPMDevice: an emulated TPM.
struct tpm_device {
  std::optional<bool> enabled;
  std::optional<bool> persistent;
  unknown_fields unknown;
  bool operator==(const tpm_device&) const = default;
};

template <class F>
void describe(F& f, tpm_device& x) {
  f("enabled", x.enabled, {.doc = "false removes a TPM a preference would add; defaults to true."});
  f("persistent", x.persistent, {.doc = "Keep the TPM state across restarts."});
}

/// Devices. GPUs, host devices, panic devices, sound and video are carried as JSON:
/// Podvisor passes them on but does not act on them.
struct domain_devices {
  std::optional<bool> use_virtio_transitional;
  bool disable_hotplug = false;
  std::vector<disk> disks;
  std::optional<watchdog_device> watchdog;
  std::vector<interface> interfaces;
  std::vector<input_device> inputs;
  std::optional<bool> autoattach_pod_interface;
  std::optional<bool> autoattach_graphics_device;
  std::optional<bool> autoattach_serial_console;
  std::optional<bool> log_serial_console;
  std::optional<bool> autoattach_mem_balloon;
  std::optional<bool> autoattach_input_device;
  std::optional<bool> autoattach_vsock;
  std::optional<empty_object> rng;
  std::optional<bool> block_multi_queue;
  std::optional<bool> network_interface_multiqueue;
  std::vector<json> gpus;
  std::optional<empty_object> downward_metrics;
  std::vector<json> panic_devices;
  std::vector<filesystem_device> filesystems;
  std::vector<json> host_devices;
  std::optional<empty_object> client_passthrough;
  std::optional<json> sound;
  std::optional<tpm_device> tpm;
  std::optional<json> video;
  unknown_fields unknown;
  bool operator==(const domain_devices&) const = default;
};

template <class F>
void describe(F& f, domain_devices& x) {
  f("useVirtioTransitional", x.use_virtio_transitional, {.doc = "Use virtio 0.9 devices for old guests (e.g. RHEL 6)."});
  f("disableHotplug", x.disable_hotplug, {.doc = "Disable disk hotplug."});
  f("disks", x.disks, {.doc = "Disks, CD-ROMs and LUNs, at most 256."});
  f("watchdog", x.watchdog, {.doc = "A watchdog device."});
  f("interfaces", x.interfaces, {.doc = "Network interfaces, at most 256."});
  f("inputs", x.inputs, {.doc = "Input devices."});
  f("autoattachPodInterface", x.autoattach_pod_interface,
    {.doc = "Add a pod network interface when none is listed; defaults to true."});
  f("autoattachGraphicsDevice", x.autoattach_graphics_device,
    {.doc = "Attach a graphics device (VNC); defaults to true."});
  f("autoattachSerialConsole", x.autoattach_serial_console,
    {.doc = "Attach a serial console; defaults to true."});
  f("logSerialConsole", x.log_serial_console, {.doc = "Log the serial console to the guest-console-log container."});
  f("autoattachMemBalloon", x.autoattach_mem_balloon, {.doc = "Attach a memory balloon; defaults to true."});
  f("autoattachInputDevice", x.autoattach_input_device, {.doc = "Attach an input device; defaults to false."});
  f("autoattachVSOCK", x.autoattach_vsock, {.doc = "Attach a VSOCK device; defaults to false."});
  f("rng", x.rng, {.doc = "A virtio random number generator fed by the host."});
  f("blockMultiQueue", x.block_multi_queue, {.doc = "Multi-queue virtio block devices."});
  f("networkInterfaceMultiqueue", x.network_interface_multiqueue,
    {.doc = "Multi-queue virtio NICs (queues follow the vCPU count)."});
  f("gpus", x.gpus, {.doc = "GPUs from device plugins."});
  f("downwardMetrics", x.downward_metrics, {.doc = "A virtio serial port with host and guest metrics."});
  f("panicDevices", x.panic_devices, {.doc = "Panic devices reporting guest crashes."});
  f("filesystems", x.filesystems, {.doc = "Volumes shared through virtiofs."});
  f("hostDevices", x.host_devices, {.doc = "Host devices passed through."});
  f("clientPassthrough", x.client_passthrough, {.doc = "USB redirection from clients."});
  f("sound", x.sound, {.doc = "An emulated sound card."});
  f("tpm", x.tpm, {.doc = "An emulated TPM."});
  f("video", x.video, {.doc = "The video device."});
}

} // namespace podvisor::kube::api
