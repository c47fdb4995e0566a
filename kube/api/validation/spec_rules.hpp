#pragma once
// Internal to validation: the rules a VirtualMachineInstanceSpec is checked against, one
// function per concern (devices.cpp, volumes.cpp, networks.cpp, domain.cpp), after
// KubeVirt's vmi-create admitter and its network admitter. vmi.cpp strings them together;
// the VM validator runs the same rules on its template under `spec.template.spec`.
//
// Every function appends to `errors` and never stops at the first problem. `spec` is the
// path of the VMI spec (`spec` or `spec.template.spec`).

#include <string_view>
#include <vector>

#include "kube/api/field_error.hpp"
#include "kube/api/kubevirt/domain.hpp"
#include "kube/api/kubevirt/networks.hpp"
#include "kube/api/kubevirt/volumes.hpp"
#include "kube/api/validation/field_path.hpp"

namespace podvisor::kube::api::detail {

/// Disks (names, one target, buses, serials, PCI addresses, block sizes, bootOrder ≥ 1),
/// filesystems, and that every disk and filesystem names a volume.
void validate_disks(const domain_devices& devices, const std::vector<vmi_volume>& volumes,
                    const field_path& spec, field_errors& errors);

/// bootOrder unique across disks and interfaces (disks first, as KubeVirt checks them).
void validate_boot_order(const domain_devices& devices, const field_path& spec,
                         field_errors& errors);

/// Volumes: names, exactly one source, per-source rules, at most one serviceAccount /
/// downwardMetrics / memoryDump volume, and each volume used by a disk or filesystem.
void validate_volumes(const std::vector<vmi_volume>& volumes, const domain_devices& devices,
                      const field_path& spec, field_errors& errors);

/// Interfaces and networks: matched one-to-one by name, one binding per interface, pod-only
/// bindings, at most one pod network, ports, MAC and PCI addresses, vmNetworkCIDR.
void validate_networking(const domain_devices& devices, const std::vector<network>& networks,
                         const field_path& spec, field_errors& errors);

/// Resources, CPU topology, memory sizes, firmware (bootloader, serial, kernel boot, ACPI).
void validate_domain(const domain_spec& domain, const std::vector<vmi_volume>& volumes,
                     const field_path& spec, field_errors& errors);

/// KubeVirt's check for paths inside an image (containerDisk.path, kernelPath, initrdPath,
/// hostDisk.path): absolute, not "/", without "." or ".." components or repeated slashes.
void validate_image_path(std::string_view path, const field_path& at, field_errors& errors);

/// A serial number for a disk or the SMBIOS: at most 256 of [A-Za-z0-9_.+-] (libvirt's set).
void validate_serial(std::string_view serial, const field_path& at, field_errors& errors);

/// "dddd:bb:ss.f" (hex domain, bus and slot, function 0-7), as KubeVirt parses it.
bool is_pci_address(std::string_view text);

} // namespace podvisor::kube::api::detail
