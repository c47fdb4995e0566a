#pragma once
// kubevirt.io/v1 disks: how a volume is presented to the guest (as a disk, a LUN or a
// CD-ROM, on which bus, with which cache and I/O mode). The volume itself (where the
// bytes come from) is in volumes.hpp; disks and volumes are matched by name.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kubevirt/common.hpp"

namespace podvisor::kube::api {

/// DiskBus: the emulated controller a disk hangs off.
enum class disk_bus { virtio, sata, scsi, usb };

template <>
struct enum_table<disk_bus> {
  static constexpr std::array entries = {
    enum_entry{disk_bus::virtio, "virtio"},
    enum_entry{disk_bus::sata, "sata"},
    enum_entry{disk_bus::scsi, "scsi"},
    enum_entry{disk_bus::usb, "usb"},
  };
};

/// DriverCache: QEMU's host page cache mode for a disk.
enum class driver_cache { none, writethrough, writeback, directsync };

template <>
struct enum_table<driver_cache> {
  static constexpr std::array entries = {
    enum_entry{driver_cache::none, "none"},
    enum_entry{driver_cache::writethrough, "writethrough"},
    enum_entry{driver_cache::writeback, "writeback"},
    enum_entry{driver_cache::directsync, "directsync"},
  };
};

/// DriverIO: how QEMU submits disk I/O (kernel AIO or a thread pool).
enum class driver_io { native, threads };

template <>
struct enum_table<driver_io> {
  static constexpr std::array entries = {
    enum_entry{driver_io::native, "native"},
    enum_entry{driver_io::threads, "threads"},
  };
};

/// TrayState of a CD-ROM drive.
enum class tray_state { open, closed };

template <>
struct enum_table<tray_state> {
  static constexpr std::array entries = {
    enum_entry{tray_state::open, "open"},
    enum_entry{tray_state::closed, "closed"},
  };
};

/// DiskErrorPolicy: what the guest sees when the host hits an I/O error.
enum class disk_error_policy { stop, ignore, report, enospace };

template <>
struct enum_table<disk_error_policy> {
  static constexpr std::array entries = {
    enum_entry{disk_error_policy::stop, "stop"},
    enum_entry{disk_error_policy::ignore, "ignore"},
    enum_entry{disk_error_policy::report, "report"},
    enum_entry{disk_error_policy::enospace, "enospace"},
  };
};

/// DiskTarget: the volume appears as a plain disk.
struct disk_target {
  enum_field<disk_bus> bus;
  bool readonly = false;
  std::string pci_address;
  unknown_fields unknown;
  bool operator==(const disk_target&) const = default;
};

template <class F>
void describe(F& f, disk_target& x) {
  f("bus", x.bus, {.doc = "Emulated bus: virtio, sata, scsi or usb."});
  f("readonly", x.readonly, {.doc = "Attach read-only."});
  f("pciAddress", x.pci_address, {.doc = "Guest PCI address to place the disk at, e.g. 0000:81:01.10."});
}

/// LunTarget: the volume appears as a SCSI LUN (commands pass through).
struct lun_target {
  enum_field<disk_bus> bus;
  bool readonly = false;
  bool reservation = false;
  unknown_fields unknown;
  bool operator==(const lun_target&) const = default;
};

template <class F>
void describe(F& f, lun_target& x) {
  f("bus", x.bus, {.doc = "Emulated bus: virtio, sata or scsi."});
  f("readonly", x.readonly, {.doc = "Attach read-only."});
  f("reservation", x.reservation, {.doc = "Support SCSI persistent reservations."});
}

/// CDRomTarget: the volume appears as a CD-ROM drive (read-only unless asked otherwise).
struct cdrom_target {
  enum_field<disk_bus> bus;
  std::optional<bool> readonly;
  enum_field<tray_state> tray;
  unknown_fields unknown;
  bool operator==(const cdrom_target&) const = default;
};

template <class F>
void describe(F& f, cdrom_target& x) {
  f("bus", x.bus, {.doc = "Emulated bus: virtio, sata or scsi."});
  f("readonly", x.readonly, {.doc = "Attach read-only; defaults to true."});
  f("tray", x.tray, {.doc = "Tray open or closed; defaults to closed."});
}

/// CustomBlockSize: logical and physical block sizes shown to the guest.
struct custom_block_size {
  std::uint32_t logical = 0;
  std::uint32_t physical = 0;
  std::optional<std::uint32_t> discard_granularity;
  unknown_fields unknown;
  bool operator==(const custom_block_size&) const = default;
};

template <class F>
void describe(F& f, custom_block_size& x) {
  f("logical", x.logical, {.doc = "Logical block size in bytes."});
  f("physical", x.physical, {.doc = "Physical block size in bytes."});
  f("discardGranularity", x.discard_granularity, {.doc = "Discard granularity in bytes."});
}

/// BlockSize: either explicit sizes or "match the backing volume".
struct block_size {
  std::optional<custom_block_size> custom;
  std::optional<feature_state> match_volume;
  unknown_fields unknown;
  bool operator==(const block_size&) const = default;
};

template <class F>
void describe(F& f, block_size& x) {
  f("custom", x.custom, {.doc = "Explicit block sizes."});
  f("matchVolume", x.match_volume, {.doc = "Take the block sizes of the backing volume."});
}

/// Disk: one guest block device, bound to the volume of the same name. At most one of
/// disk/lun/cdrom is set; defaulting picks `disk` when none is.
struct disk {
  std::string name;
  std::optional<disk_target> disk_; ///< JSON "disk"
  std::optional<lun_target> lun;
  std::optional<cdrom_target> cdrom;
  std::optional<std::uint32_t> boot_order;
  std::string serial;
  std::optional<bool> dedicated_io_thread;
  enum_field<driver_cache> cache;
  enum_field<driver_io> io;
  std::string tag;
  std::optional<block_size> block_size_;
  std::optional<bool> shareable;
  std::optional<enum_field<disk_error_policy>> error_policy;
  std::optional<bool> changed_block_tracking;
  unknown_fields unknown;
  bool operator==(const disk&) const = default;
};

template <class F>
void describe(F& f, disk& x) {
  f("name", x.name, {.required = true, .doc = "Device name; matches the name of a volume."});
  f("disk", x.disk_, {.doc = "Attach the volume as a disk."});
  f("lun", x.lun, {.doc = "Attach the volume as a SCSI LUN."});
  f("cdrom", x.cdrom, {.doc = "Attach the volume as a CD-ROM."});
  f("bootOrder", x.boot_order,
    {.doc = "Boot priority, 1 first; unique across disks and interfaces. Devices without one are not booted from if any device has one."});
  f("serial", x.serial, {.doc = "Serial number shown to the guest."});
  f("dedicatedIOThread", x.dedicated_io_thread, {.doc = "Give this disk its own I/O thread."});
  f("cache", x.cache, {.doc = "Host cache mode: none, writethrough, writeback or directsync."});
  f("io", x.io, {.doc = "I/O mode: native or threads."});
  f("tag", x.tag, {.doc = "Tag passed to the guest in the config drive metadata."});
  f("blockSize", x.block_size_, {.doc = "Block sizes shown to the guest."});
  f("shareable", x.shareable, {.doc = "Allow several VMs to write to the disk at once."});
  f("errorPolicy", x.error_policy, {.doc = "Reaction to host I/O errors: stop (default), ignore, report or enospace."});
  f("changedBlockTracking", x.changed_block_tracking, {.doc = "Track changed blocks for incremental backup."});
}

} // namespace podvisor::kube::api
