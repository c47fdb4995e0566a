#include "virt/converter/disks_configurator.hpp"

namespace podvisor::virt {
namespace {

namespace api = kube::api;

/// The bus of a spec disk, with KubeVirt's x86 defaults (virtio disks, sata CD-ROMs).
std::optional<disk_bus> bus_of(const api::disk& d) {
  const api::enum_field<api::disk_bus>* bus = nullptr;
  if (d.disk_)
    bus = &d.disk_->bus;
  else if (d.cdrom)
    bus = &d.cdrom->bus;
  if (bus == nullptr || bus->empty())
    return d.cdrom ? disk_bus::sata : disk_bus::virtio;
  auto value = bus->value();
  if (!value)
    return std::nullopt;
  switch (*value) {
  case api::disk_bus::virtio: return disk_bus::virtio;
  case api::disk_bus::sata: return disk_bus::sata;
  case api::disk_bus::scsi: return disk_bus::scsi;
  case api::disk_bus::usb: return disk_bus::usb;
  }
  return std::nullopt;
}

} // namespace

std::string device_name(std::string_view prefix, std::size_t index) {
  // Bijective base 26, as libvirt counts: a..z, aa..az, ba, ...
  std::string letters;
  std::size_t n = index + 1;
  while (n > 0) {
    --n;
    letters.insert(letters.begin(), static_cast<char>('a' + n % 26));
    n /= 26;
  }
  return std::string(prefix) + letters;
}

void check_disks(const converter_input& in, conversion_problems& problems) {
  for (const auto& d : in.vmi.spec.domain.devices.disks) {
    const std::string where = "spec.domain.devices.disks[" + d.name + "]";
    if (d.lun) {
      problems.unsupported.emplace_back(where + ".lun");
      continue;
    }
    auto bus = bus_of(d);
    if (!bus)
      problems.invalid.emplace_back(where + ": unknown bus");
    else if (d.cdrom && *bus == disk_bus::virtio)
      problems.invalid.emplace_back(where + ".cdrom.bus: a CD-ROM cannot sit on virtio");
    auto fact = in.volumes.find(d.name);
    if (fact == in.volumes.end() || fact->second.path.empty())
      problems.invalid.emplace_back(where + ": no prepared volume path for it");
    if (d.dedicated_io_thread.value_or(false))
      problems.unsupported.emplace_back(where + ".dedicatedIOThread");
    if (d.block_size_)
      problems.unsupported.emplace_back(where + ".blockSize");
    if (d.changed_block_tracking.value_or(false))
      problems.unsupported.emplace_back(where + ".changedBlockTracking");
    if (d.disk_ && !d.disk_->pci_address.empty())
      problems.unsupported.emplace_back(where + ".disk.pciAddress");
    // QEMU refuses native AIO on the host page cache (also its default, writeback);
    // better to say so now than when the domain starts.
    if (d.io == api::driver_io::native && d.cache != api::driver_cache::none
        && d.cache != api::driver_cache::directsync)
      problems.invalid.emplace_back(where + ": io native needs cache none or directsync");
  }
}

void configure_disks(const converter_input& in, domain& d) {
  d.devices.disks.clear();
  std::size_t vd = 0;
  std::size_t sd = 0;
  for (const auto& spec : in.vmi.spec.domain.devices.disks) {
    const auto& fact = in.volumes.at(spec.name);
    disk out;
    out.device = spec.cdrom ? disk_device::cdrom : disk_device::disk;
    out.source_type = fact.type;
    out.driver_type = fact.format;
    out.source = fact.path;
    out.bus = bus_of(spec).value_or(disk_bus::virtio);
    out.target_dev = out.bus == disk_bus::virtio ? device_name("vd", vd++) : device_name("sd", sd++);
    out.cache = spec.cache.raw();
    out.io = spec.io.raw();
    out.error_policy = spec.error_policy ? spec.error_policy->raw() : std::string{};
    out.serial = spec.serial;
    out.boot_order = spec.boot_order;
    if (spec.cdrom) {
      out.readonly = spec.cdrom->readonly.value_or(true);
      out.tray = spec.cdrom->tray.raw();
    } else if (spec.disk_) {
      out.readonly = spec.disk_->readonly;
    }
    out.shareable = spec.shareable.value_or(false);
    out.alias = "ua-" + spec.name;
    d.devices.disks.push_back(std::move(out));
  }
}

} // namespace podvisor::virt
