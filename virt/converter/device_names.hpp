#pragma once
// Which VMI device each device of a converted domain is. The converter gives every
// interface and disk the user alias "ua-<VMI name>" (interfaces_configurator.cpp,
// disks_configurator.cpp), and libvirt's statistics name a device by its target (an
// interface's tap, a disk's "vda"): the domain model holds both, so the launcher that
// defined the domain names its counters without asking libvirt for the live XML.

#include "virt/domain/domain.hpp"
#include "virt/libvirt/connection.hpp"

namespace podvisor::virt {

/// Target → VMI name for every interface and disk of `d` with a target and a user alias
/// "ua-<name>"; others are left out (their counters keep libvirt's names).
device_names device_names_of(const domain& d);

} // namespace podvisor::virt
