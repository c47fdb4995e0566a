// Disk, filesystem and boot-order rules of a VMI spec (KubeVirt's validateDisks,
// validateBootOrder and the disk half of validateVirtualMachineInstanceSpecVolumeDisks).

#include <map>
#include <set>
#include <string>

#include "kube/api/validation/names.hpp"
#include "kube/api/validation/spec_rules.hpp"

namespace podvisor::kube::api::detail {

namespace {

// KubeVirt's limits for serial numbers and custom block sizes.
constexpr std::size_t max_serial_length = 256;
constexpr std::uint32_t min_block_size = 512;
constexpr std::uint32_t max_block_size = 2 * 1024 * 1024;

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void validate_block_size(const block_size& bs, const field_path& at, field_errors& errors) {
  if (!bs.custom)
    return;
  if (bs.match_volume && bs.match_volume->enabled.value_or(true)) {
    errors.push_back(field_forbidden(at.child("matchVolume"),
                                     "may not be enabled together with a custom block size"));
    return;
  }
  auto custom = at.child("custom");
  if (bs.custom->logical > bs.custom->physical) {
    errors.push_back(field_invalid(custom.child("logical"), render_int(bs.custom->logical),
                                   "must be less than or equal to the physical block size of "
                                     + std::to_string(bs.custom->physical)));
    return;
  }
  for (auto [name, size] : {std::pair{"logical", bs.custom->logical},
                            std::pair{"physical", bs.custom->physical}}) {
    auto p = custom.child(name);
    if (size < min_block_size || size > max_block_size)
      errors.push_back(field_invalid(p, render_int(size),
                                     "must be between " + std::to_string(min_block_size) + " and "
                                       + std::to_string(max_block_size) + ", inclusive"));
    else if ((size & (size - 1)) != 0)
      errors.push_back(field_invalid(p, render_int(size), "must be a power of 2"));
  }
}

// The bus of whichever target is set (they are checked in this order elsewhere too).
const enum_field<disk_bus>* target_bus(const disk& d) {
  if (d.disk_)
    return &d.disk_->bus;
  if (d.lun)
    return &d.lun->bus;
  if (d.cdrom)
    return &d.cdrom->bus;
  return nullptr;
}

void validate_disk(const disk& d, const field_path& at, field_errors& errors) {
  if (d.name.empty())
    errors.push_back(field_required(at.child("name")));
  else
    // The disk name becomes part of a container name in the launcher pod.
    add_invalid_each(errors, at.child("name"), d.name, is_dns1123_label(d.name));

  // Zero targets is fine (defaulting picks `disk`); more than one is ambiguous.
  bool seen_target = false;
  for (auto [name, set] : {std::pair{"disk", d.disk_.has_value()}, std::pair{"lun", d.lun.has_value()},
                           std::pair{"cdrom", d.cdrom.has_value()}}) {
    if (!set)
      continue;
    if (seen_target)
      errors.push_back(field_forbidden(at.child(name), "may not specify more than 1 of disk, lun and cdrom"));
    seen_target = true;
  }

  if (d.cdrom && d.cdrom->bus == disk_bus::virtio)
    // QEMU's q35 machine has no virtio CD-ROM.
    errors.push_back(field_unsupported(at.child("cdrom", "bus"), quote("virtio"),
                                       R"("sata", "scsi", "usb")"));
  if (d.disk_ && d.disk_->readonly && d.disk_->bus == disk_bus::sata)
    errors.push_back(field_forbidden(at.child("disk", "readonly"),
                                     "read-only is not supported for disks on the sata bus"));
  if (d.disk_ && !d.disk_->pci_address.empty()) {
    // An unset bus is fine: defaulting makes it virtio.
    if (!d.disk_->bus.empty() && d.disk_->bus != disk_bus::virtio)
      errors.push_back(field_forbidden(at.child("disk", "pciAddress"),
                                       "a PCI address can only be set on the virtio bus"));
    if (!is_pci_address(d.disk_->pci_address))
      errors.push_back(field_invalid(at.child("disk", "pciAddress"), quote(d.disk_->pci_address),
                                     "must be a PCI address of the form dddd:bb:ss.f (e.g. '0000:81:01.1')"));
  }
  const auto* bus = target_bus(d);
  if (d.dedicated_io_thread.value_or(false) && bus != nullptr && !bus->empty() && *bus != disk_bus::virtio)
    errors.push_back(field_forbidden(at.child("dedicatedIOThread"),
                                     "dedicated I/O threads are only supported on the virtio bus"));

  if (d.boot_order && *d.boot_order < 1)
    errors.push_back(field_invalid(at.child("bootOrder"), render_int(*d.boot_order),
                                   "must be greater than or equal to 1"));
  validate_serial(d.serial, at.child("serial"), errors);
  if (d.block_size_)
    validate_block_size(*d.block_size_, at.child("blockSize"), errors);
}

// The characters libvirt accepts in a serial: [A-Za-z0-9_.+-].
bool is_serial_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
         || c == '.' || c == '+' || c == '-';
}

} // namespace

void validate_serial(std::string_view serial, const field_path& at, field_errors& errors) {
  if (serial.empty())
    return;
  if (serial.size() > max_serial_length)
    errors.push_back(field_too_long(at, max_serial_length));
  for (char c : serial)
    if (!is_serial_char(c)) {
      errors.push_back(field_invalid(at, quote(serial),
                                     "must consist of alphanumeric characters, '_', '.', '+' or '-'"));
      break;
    }
}

bool is_pci_address(std::string_view s) {
  // dddd:bb:ss.f
  if (s.size() != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.')
    return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (!is_hex(s[i]))
      return false;
  return s[11] >= '0' && s[11] <= '7';
}

void validate_disks(const domain_devices& devices, const std::vector<vmi_volume>& volumes,
                    const field_path& spec, field_errors& errors) {
  std::set<std::string_view> volume_names;
  for (const auto& v : volumes)
    volume_names.insert(v.name);

  auto disks_path = spec.child("domain", "devices", "disks");
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < devices.disks.size(); ++i) {
    const auto& d = devices.disks[i];
    auto at = disks_path.index(i);
    validate_disk(d, at, errors);
    if (d.name.empty())
      continue;
    if (!seen.insert(d.name).second)
      errors.push_back(field_duplicate(at.child("name"), quote(d.name)));
    else if (!volume_names.contains(d.name))
      errors.push_back(field_not_found(at.child("name"), quote(d.name)));
  }

  auto fs_path = spec.child("domain", "devices", "filesystems");
  for (std::size_t i = 0; i < devices.filesystems.size(); ++i) {
    const auto& fs = devices.filesystems[i];
    auto at = fs_path.index(i);
    if (fs.name.empty())
      errors.push_back(field_required(at.child("name")));
    else if (!seen.insert(fs.name).second)
      errors.push_back(field_duplicate(at.child("name"), quote(fs.name)));
    else if (!volume_names.contains(fs.name))
      errors.push_back(field_not_found(at.child("name"), quote(fs.name)));
    if (!fs.virtiofs)
      errors.push_back(field_required(at.child("virtiofs")));
  }
}

void validate_boot_order(const domain_devices& devices, const field_path& spec,
                         field_errors& errors) {
  std::set<std::uint32_t> used;
  auto check = [&](const std::optional<std::uint32_t>& order, const field_path& at) {
    if (!order || *order < 1) // a value below 1 is reported by the device's own rules
      return;
    if (!used.insert(*order).second)
      errors.push_back(field_duplicate(at, render_int(*order)));
  };
  auto disks_path = spec.child("domain", "devices", "disks");
  for (std::size_t i = 0; i < devices.disks.size(); ++i)
    check(devices.disks[i].boot_order, disks_path.index(i).child("bootOrder"));
  auto ifaces_path = spec.child("domain", "devices", "interfaces");
  for (std::size_t i = 0; i < devices.interfaces.size(); ++i)
    check(devices.interfaces[i].boot_order, ifaces_path.index(i).child("bootOrder"));
}

} // namespace podvisor::kube::api::detail
