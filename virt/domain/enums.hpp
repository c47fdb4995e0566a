#pragma once
// The enumerated attributes of the domain model, each with its libvirt spelling. The
// tables reuse kube/api's enum_table so that one to_string/parse_enum pair serves every
// enum in Podvisor; a test round-trips every value.

#include <array>

#include "kube/api/enum_table.hpp"

namespace podvisor::virt {

/// <domain type=...>: kvm (hardware) or qemu (TCG, software emulation).
enum class domain_type { kvm, qemu };
/// <cpu mode=...>.
enum class cpu_mode { host_passthrough, host_model, custom };
/// <clock offset=...>.
enum class clock_offset { utc, timezone, variable };
/// <disk device=...>.
enum class disk_device { disk, cdrom };
/// <disk type=...>: where the bytes are.
enum class disk_source_type { file, block };
/// <target bus=...>.
enum class disk_bus { virtio, sata, scsi, usb };
/// <controller type=...>.
enum class controller_type { scsi, usb };
/// <serial type=...>.
enum class serial_type { pty, file };
/// <on_poweroff>, <on_reboot>, <on_crash>.
enum class lifecycle_action { destroy, restart };

using kube::api::parse_enum;
using kube::api::to_string;

} // namespace podvisor::virt

namespace podvisor::kube::api {

template <>
struct enum_table<virt::domain_type> {
  static constexpr std::array entries = {
    enum_entry{virt::domain_type::kvm, "kvm"},
    enum_entry{virt::domain_type::qemu, "qemu"},
  };
};

template <>
struct enum_table<virt::cpu_mode> {
  static constexpr std::array entries = {
    enum_entry{virt::cpu_mode::host_passthrough, "host-passthrough"},
    enum_entry{virt::cpu_mode::host_model, "host-model"},
    enum_entry{virt::cpu_mode::custom, "custom"},
  };
};

template <>
struct enum_table<virt::clock_offset> {
  static constexpr std::array entries = {
    enum_entry{virt::clock_offset::utc, "utc"},
    enum_entry{virt::clock_offset::timezone, "timezone"},
    enum_entry{virt::clock_offset::variable, "variable"},
  };
};

template <>
struct enum_table<virt::disk_device> {
  static constexpr std::array entries = {
    enum_entry{virt::disk_device::disk, "disk"},
    enum_entry{virt::disk_device::cdrom, "cdrom"},
  };
};

template <>
struct enum_table<virt::disk_source_type> {
  static constexpr std::array entries = {
    enum_entry{virt::disk_source_type::file, "file"},
    enum_entry{virt::disk_source_type::block, "block"},
  };
};

template <>
struct enum_table<virt::disk_bus> {
  static constexpr std::array entries = {
    enum_entry{virt::disk_bus::virtio, "virtio"},
    enum_entry{virt::disk_bus::sata, "sata"},
    enum_entry{virt::disk_bus::scsi, "scsi"},
    enum_entry{virt::disk_bus::usb, "usb"},
  };
};

template <>
struct enum_table<virt::controller_type> {
  static constexpr std::array entries = {
    enum_entry{virt::controller_type::scsi, "scsi"},
    enum_entry{virt::controller_type::usb, "usb"},
  };
};

template <>
struct enum_table<virt::serial_type> {
  static constexpr std::array entries = {
    enum_entry{virt::serial_type::pty, "pty"},
    enum_entry{virt::serial_type::file, "file"},
  };
};

template <>
struct enum_table<virt::lifecycle_action> {
  static constexpr std::array entries = {
    enum_entry{virt::lifecycle_action::destroy, "destroy"},
    enum_entry{virt::lifecycle_action::restart, "restart"},
  };
};

} // namespace podvisor::kube::api
