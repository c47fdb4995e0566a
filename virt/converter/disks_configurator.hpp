#pragma once
// Disks and CD-ROMs: one libvirt disk per spec disk, backed by the path the caller
// prepared for the volume of the same name. Target names follow the bus (virtio -> vdX,
// sata/scsi/usb -> sdX, counted in spec order), CD-ROMs are read-only unless asked
// otherwise, and boot order, serial, cache, io and error policy carry over.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace podvisor::virt {

/// Reports what the disks aspect of `in` asks for that cannot be converted.
void check_disks(const converter_input& in, conversion_problems& problems);

/// Sets the disks aspect of `d` from `in`; `in` has passed check_disks.
void configure_disks(const converter_input& in, domain& d);

/// libvirt's name for the `index`th device (0-based) with `prefix`: vda .. vdz, vdaa, ...
std::string device_name(std::string_view prefix, std::size_t index);

} // namespace podvisor::virt
