#pragma once
// The per-device counters of one virDomainListGetStats record, under libvirt's names for
// the devices (an interface's target, the tap; a disk's target, "vda"); name_devices()
// (connection.hpp) gives them the VMI's names. Internal to virt/libvirt (it includes
// libvirt's header).

#include <libvirt/libvirt.h>

#include "virt/libvirt/connection.hpp"

namespace podvisor::virt {

/// Appends the "net.<i>.*" and "block.<i>.*" counters of one stats record to `out`. A
/// counter the driver does not report stays 0; a device without a name keeps "".
void decode_device_stats(virTypedParameterPtr params, int n, domain_stats& out);

} // namespace podvisor::virt
