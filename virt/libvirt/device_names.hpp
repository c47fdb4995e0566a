#pragma once
// Which VMI device a libvirt device is: the domain XML maps libvirt's names for them
// (an interface's target device, the tap; a disk's target, "vda") to their user aliases,
// which the converter sets to "ua-<VMI interface or disk name>"
// (virt/converter/interfaces_configurator.cpp, disks_configurator.cpp). The statistics
// of a domain name its devices by libvirt's names; the agent's metrics by the VMI's.
// Internal to virt/libvirt (it includes libvirt's header).

#include <map>
#include <string>
#include <string_view>

#include <libvirt/libvirt.h>

#include "common/error.hpp"
#include "virt/libvirt/connection.hpp"

namespace podvisor::virt {

/// libvirt device name → the name the VMI gives it.
struct device_names {
  std::map<std::string, std::string> interfaces; ///< target dev (tap) → VMI interface name
  std::map<std::string, std::string> disks;      ///< target dev → VMI disk name
};

/// Reads <devices>' <interface> and <disk> elements of a domain XML: each one with a
/// <target dev> and an <alias name="ua-NAME"> maps to NAME; devices without either are
/// left out. parse_error when the text is not XML with a <domain> root.
expected<device_names> parse_device_names(std::string_view domain_xml);

/// The VMI's name of a libvirt device: names[target] when known, else the target itself.
std::string vmi_device_name(const std::map<std::string, std::string>& names, const std::string& target);

/// Appends the "net.<i>.*" and "block.<i>.*" counters of one virDomainListGetStats
/// record to `out`, each device under its VMI name. A counter the driver does not report
/// stays 0; a device without a name keeps "".
void decode_device_stats(virTypedParameterPtr params, int n, const device_names& names, domain_stats& out);

} // namespace podvisor::virt
