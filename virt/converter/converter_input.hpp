#pragma once
// What the converter works from: the VMI (already defaulted, as the API server stores
// it), the virtualization type the caller decided (the KVM probe lives elsewhere), and
// facts about the host that the spec cannot know — where each volume's bytes are, which
// tap and MAC the network binding prepared, where logs and firmware files go.

#include <map>
#include <string>
#include <vector>

#include "kube/api/kubevirt/vmi.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// A volume as the launcher prepared it on this host.
struct volume_fact {
  std::string path;                                   ///< image file or block device
  disk_source_type type = disk_source_type::file;
  std::string format = "raw";                         ///< raw or qcow2
};

/// A network interface as the network binding prepared it.
struct interface_fact {
  std::string tap; ///< an existing tap device the domain attaches to (managed='no')
  std::string mac; ///< the guest MAC; empty: the spec's macAddress or libvirt's choice
};

/// Debian's OVMF images (package ovmf); overridable for tests and other distributions.
struct ovmf_paths {
  std::string code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
  std::string vars = "/usr/share/OVMF/OVMF_VARS_4M.fd";
  std::string secure_code = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd";
  std::string secure_vars = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";
};

/// Everything one conversion needs.
struct converter_input {
  /// The VMI, defaulted (kube::api::set_defaults); configurators still tolerate unset
  /// fields with KubeVirt's defaults so that a hand-written VMI converts the same way.
  kube::api::virtual_machine_instance vmi;
  /// kvm when a real KVM can run guests, qemu (TCG) otherwise.
  domain_type type = domain_type::qemu;
  /// By volume name.
  std::map<std::string, volume_fact> volumes;
  /// By interface name.
  std::map<std::string, interface_fact> interfaces;
  /// Where the serial console is copied to; empty: console on a pty only.
  std::string serial_log_path;
  /// Direct kernel boot: the kernel and initrd extracted from firmware.kernelBoot's image.
  std::string kernel_path;
  std::string initrd_path;
  /// EFI: this VM's variable store; empty lets libvirt place it.
  std::string nvram_path;
  ovmf_paths ovmf;
};

/// What stops a conversion, gathered from every aspect so that one error lists them all.
struct conversion_problems {
  /// Spec fields asking for something this converter cannot produce ("spec.domain.devices.gpus").
  std::vector<std::string> unsupported;
  /// Inconsistencies between the spec and the host facts ("volume rootdisk: no path").
  std::vector<std::string> invalid;

  bool empty() const { return unsupported.empty() && invalid.empty(); }
};

} // namespace podvisor::virt
