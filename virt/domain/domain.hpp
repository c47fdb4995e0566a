#pragma once
// The libvirt domain model: the subset of libvirt's domain XML that Podvisor generates.
// Plain values, no behaviour; the converter fills one in and domain_xml.hpp writes it.
// Field names follow libvirt's elements and attributes so that a reader can map each
// member to https://libvirt.org/formatdomain.html without a table.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "virt/domain/enums.hpp"

namespace podvisor::virt {

/// <cpu><topology>: vCPUs are sockets * cores * threads.
struct cpu_topology {
  std::uint32_t sockets = 1;
  std::uint32_t cores = 1;
  std::uint32_t threads = 1;
  bool operator==(const cpu_topology&) const = default;
};

/// <cpu><feature policy=... name=.../>.
struct cpu_feature {
  std::string policy; ///< force, require, optional, disable, forbid
  std::string name;
  bool operator==(const cpu_feature&) const = default;
};

/// <cpu>.
struct domain_cpu {
  cpu_mode mode = cpu_mode::host_passthrough;
  std::string model; ///< only for cpu_mode::custom
  cpu_topology topology;
  std::vector<cpu_feature> features;
  bool operator==(const domain_cpu&) const = default;
};

/// <os><loader>: a UEFI firmware image mapped as pflash.
struct os_loader {
  std::string path;
  bool readonly = true;
  bool secure = false;
  bool operator==(const os_loader&) const = default;
};

/// <os><nvram>: the writable UEFI variable store and the template it starts from.
struct os_nvram {
  std::string path; ///< empty: libvirt picks one under its state directory
  std::string template_path;
  bool operator==(const os_nvram&) const = default;
};

/// <os>.
struct domain_os {
  std::string arch = "x86_64";
  std::string machine = "q35";
  std::optional<os_loader> loader;
  std::optional<os_nvram> nvram;
  bool bios_useserial = false;
  std::string kernel;  ///< direct kernel boot
  std::string initrd;
  std::string cmdline;
  bool operator==(const domain_os&) const = default;
};

/// <features>.
struct domain_features {
  bool acpi = false;
  bool apic = false;
  bool smm = false;
  bool pvspinlock = false;
  bool kvm_hidden = false;
  bool operator==(const domain_features&) const = default;
};

/// <clock><timer>.
struct clock_timer {
  std::string name;        ///< hpet, pit, rtc, kvmclock, hypervclock
  std::string tickpolicy;  ///< empty: not written
  std::optional<bool> present;
  std::string track;       ///< rtc only
  bool operator==(const clock_timer&) const = default;
};

/// <clock>.
struct domain_clock {
  clock_offset offset = clock_offset::utc;
  std::string timezone;                ///< clock_offset::timezone
  std::optional<std::int64_t> adjustment; ///< clock_offset::variable, seconds from UTC
  std::vector<clock_timer> timers;
  bool operator==(const domain_clock&) const = default;
};

/// <disk>: a disk or CD-ROM backed by a file or block device.
struct disk {
  disk_device device = disk_device::disk;
  disk_source_type source_type = disk_source_type::file;
  std::string driver_type = "raw"; ///< image format: raw or qcow2
  std::string cache;               ///< empty: hypervisor default
  std::string io;
  std::string error_policy;
  std::string source; ///< file path or block device path
  std::string target_dev;
  disk_bus bus = disk_bus::virtio;
  std::string tray; ///< CD-ROMs: open or closed; empty: not written
  std::string serial;
  std::optional<std::uint32_t> boot_order;
  bool readonly = false;
  bool shareable = false;
  std::string alias; ///< user alias, "ua-<disk name>"
  bool operator==(const disk&) const = default;
};

/// <interface type='ethernet'>: a tap the network binding prepared (libvirt does not
/// create or configure it: managed='no').
struct interface {
  std::string tap;
  std::string mac;
  std::string model = "virtio";
  std::optional<std::uint32_t> boot_order;
  bool link_down = false;
  std::uint32_t acpi_index = 0; ///< 0: not written
  std::string alias;
  bool operator==(const interface&) const = default;
};

/// <controller>.
struct controller {
  controller_type type = controller_type::scsi;
  std::uint32_t index = 0;
  std::string model;
  bool operator==(const controller&) const = default;
};

/// <serial> and the matching <console>: the guest's first serial port.
struct serial_console {
  serial_type type = serial_type::pty;
  std::string path;     ///< serial_type::file: where the output goes
  std::string log_file; ///< serial_type::pty: a copy of the output, appended
  bool operator==(const serial_console&) const = default;
};

/// <rng model='virtio'> fed from the host's /dev/urandom.
struct rng {
  std::string backend = "/dev/urandom";
  bool operator==(const rng&) const = default;
};

/// <devices>.
struct domain_devices {
  std::vector<disk> disks;
  std::vector<controller> controllers;
  std::vector<interface> interfaces;
  std::optional<serial_console> serial;
  std::optional<rng> rng_;
  std::string memballoon_model = "none"; ///< virtio or none
  bool operator==(const domain_devices&) const = default;
};

/// A libvirt domain: what `virsh define` takes.
struct domain {
  domain_type type = domain_type::qemu;
  std::string name;
  std::string uuid; ///< empty: libvirt generates one
  std::uint64_t memory_kib = 0;
  domain_cpu cpu;
  domain_os os;
  domain_features features;
  domain_clock clock;
  lifecycle_action on_poweroff = lifecycle_action::destroy;
  lifecycle_action on_reboot = lifecycle_action::restart;
  lifecycle_action on_crash = lifecycle_action::destroy;
  domain_devices devices;
  bool operator==(const domain&) const = default;

  /// The vCPU count, which libvirt requires to equal the topology's product.
  std::uint32_t vcpus() const { return cpu.topology.sockets * cpu.topology.cores * cpu.topology.threads; }
};

} // namespace podvisor::virt
