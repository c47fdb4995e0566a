#pragma once
// kubevirt.io/v1 DomainSpec: the virtual hardware of a VMI — resources, CPU, memory,
// machine type, firmware, clock, features and devices.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/common.hpp"
#include "kube/api/core/container.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kubevirt/clock.hpp"
#include "kube/api/kubevirt/common.hpp"
#include "kube/api/kubevirt/devices.hpp"
#include "kube/api/kubevirt/features.hpp"
#include "kube/api/quantity.hpp"

namespace podvisor::kube::api {

/// ResourceRequirements of the domain (not a container's): "cpu" and "memory".
struct domain_resources {
  resource_list requests;
  resource_list limits;
  bool overcommit_guest_overhead = false;
  unknown_fields unknown;
  bool operator==(const domain_resources&) const = default;
};

template <class F>
void describe(F& f, domain_resources& x) {
  f("requests", x.requests, {.doc = "Resources reserved for the VMI: cpu and memory."});
  f("limits", x.limits, {.doc = "Most of each resource the VMI may use."});
  f("overcommitGuestOverhead", x.overcommit_guest_overhead,
    {.doc = "Do not reserve the virtualization overhead; count it only in the memory limit."});
}

/// CPUFeature policy, as libvirt has it.
enum class cpu_feature_policy { force, require, optional, disable, forbid };

template <>
struct enum_table<cpu_feature_policy> {
  static constexpr std::array entries = {
    enum_entry{cpu_feature_policy::force, "force"},
    enum_entry{cpu_feature_policy::require, "require"},
    enum_entry{cpu_feature_policy::optional, "optional"},
    enum_entry{cpu_feature_policy::disable, "disable"},
    enum_entry{cpu_feature_policy::forbid, "forbid"},
  };
};

/// CPUFeature.
struct cpu_feature {
  std::string name;
  enum_field<cpu_feature_policy> policy;
  unknown_fields unknown;
  bool operator==(const cpu_feature&) const = default;
};

template <class F>
void describe(F& f, cpu_feature& x) {
  f("name", x.name, {.required = true, .doc = "CPU feature name, e.g. vmx."});
  f("policy", x.policy, {.doc = "force, require (default), optional, disable or forbid."});
}

/// NUMA: guest NUMA topology.
struct cpu_numa {
  std::optional<empty_object> guest_mapping_passthrough;
  unknown_fields unknown;
  bool operator==(const cpu_numa&) const = default;
};

template <class F>
void describe(F& f, cpu_numa& x) {
  f("guestMappingPassthrough", x.guest_mapping_passthrough,
    {.doc = "Mirror the host NUMA nodes of the dedicated CPUs in the guest."});
}

/// Realtime tuning.
struct cpu_realtime {
  std::string mask;
  unknown_fields unknown;
  bool operator==(const cpu_realtime&) const = default;
};

template <class F>
void describe(F& f, cpu_realtime& x) {
  f("mask", x.mask, {.doc = "vCPUs that run realtime, in libvirt's syntax, e.g. 0-3,^1."});
}

/// CPU: topology, model and placement.
struct domain_cpu {
  std::uint32_t cores = 0;
  std::uint32_t sockets = 0;
  std::uint32_t max_sockets = 0;
  std::uint32_t threads = 0;
  std::string model;
  std::vector<cpu_feature> features;
  bool dedicated_cpu_placement = false;
  std::optional<cpu_numa> numa;
  bool isolate_emulator_thread = false;
  std::optional<cpu_realtime> realtime;
  unknown_fields unknown;
  bool operator==(const domain_cpu&) const = default;
};

template <class F>
void describe(F& f, domain_cpu& x) {
  f("cores", x.cores, {.doc = "Cores per socket, at least 1."});
  f("sockets", x.sockets, {.doc = "Sockets, at least 1."});
  f("maxSockets", x.max_sockets, {.doc = "Most sockets CPU hotplug may add up to."});
  f("threads", x.threads, {.doc = "Threads per core, at least 1."});
  f("model", x.model,
    {.doc = "CPU model, or host-model (default) / host-passthrough."});
  f("features", x.features, {.doc = "CPU features to add or remove."});
  f("dedicatedCpuPlacement", x.dedicated_cpu_placement, {.doc = "Pin each vCPU to its own host CPU."});
  f("numa", x.numa, {.doc = "Guest NUMA topology."});
  f("isolateEmulatorThread", x.isolate_emulator_thread, {.doc = "Give the emulator thread its own host CPU."});
  f("realtime", x.realtime, {.doc = "Tune for low latency."});
}

/// Hugepages backing for guest memory.
struct memory_hugepages {
  std::string page_size;
  unknown_fields unknown;
  bool operator==(const memory_hugepages&) const = default;
};

template <class F>
void describe(F& f, memory_hugepages& x) {
  f("pageSize", x.page_size, {.doc = "Huge page size, 2Mi or 1Gi on x86_64."});
}

/// Memory: what the guest sees (the pod's request/limit are in resources).
struct domain_memory {
  std::optional<memory_hugepages> hugepages;
  std::optional<quantity> guest;
  std::optional<quantity> max_guest;
  unknown_fields unknown;
  bool operator==(const domain_memory&) const = default;
};

template <class F>
void describe(F& f, domain_memory& x) {
  f("hugepages", x.hugepages, {.doc = "Back guest memory with huge pages."});
  f("guest", x.guest, {.doc = "Memory visible to the guest; defaults to the memory request."});
  f("maxGuest", x.max_guest, {.doc = "Most memory hotplug may add up to."});
}

/// Machine: the QEMU machine type (chipset).
struct domain_machine {
  std::string type;
  unknown_fields unknown;
  bool operator==(const domain_machine&) const = default;
};

template <class F>
void describe(F& f, domain_machine& x) {
  f("type", x.type, {.doc = "QEMU machine type; q35 on x86_64 by default."});
}

/// BIOS bootloader.
struct bios_loader {
  std::optional<bool> use_serial;
  unknown_fields unknown;
  bool operator==(const bios_loader&) const = default;
};

template <class F>
void describe(F& f, bios_loader& x) {
  f("useSerial", x.use_serial, {.doc = "Send BIOS output to the serial console."});
}

/// EFI bootloader.
struct efi_loader {
  std::optional<bool> secure_boot;
  std::optional<bool> persistent;
  unknown_fields unknown;
  bool operator==(const efi_loader&) const = default;
};

template <class F>
void describe(F& f, efi_loader& x) {
  f("secureBoot", x.secure_boot, {.doc = "Secure boot (needs SMM); defaults to true."});
  f("persistent", x.persistent, {.doc = "Keep the EFI variables across restarts."});
}

/// Bootloader: BIOS (default) or EFI.
struct firmware_bootloader {
  std::optional<bios_loader> bios;
  std::optional<efi_loader> efi;
  unknown_fields unknown;
  bool operator==(const firmware_bootloader&) const = default;
};

template <class F>
void describe(F& f, firmware_bootloader& x) {
  f("bios", x.bios, {.doc = "Boot with SeaBIOS (the default)."});
  f("efi", x.efi, {.doc = "Boot with OVMF (UEFI)."});
}

/// KernelBootContainer: a container image holding a kernel and an initrd.
struct kernel_boot_container {
  std::string image;
  std::string image_pull_secret;
  enum_field<pull_policy> image_pull_policy;
  std::string kernel_path;
  std::string initrd_path;
  unknown_fields unknown;
  bool operator==(const kernel_boot_container&) const = default;
};

template <class F>
void describe(F& f, kernel_boot_container& x) {
  f("image", x.image, {.required = true, .doc = "Container image holding the kernel and initrd."});
  f("imagePullSecret", x.image_pull_secret, {.doc = "Name of the secret used to pull the image."});
  f("imagePullPolicy", x.image_pull_policy, {.doc = "Always, Never or IfNotPresent."});
  f("kernelPath", x.kernel_path, {.doc = "Path of the kernel inside the image."});
  f("initrdPath", x.initrd_path, {.doc = "Path of the initrd inside the image."});
}

/// KernelBoot: boot a kernel directly instead of from a disk.
struct firmware_kernel_boot {
  std::string kernel_args;
  std::optional<kernel_boot_container> container;
  unknown_fields unknown;
  bool operator==(const firmware_kernel_boot&) const = default;
};

template <class F>
void describe(F& f, firmware_kernel_boot& x) {
  f("kernelArgs", x.kernel_args, {.doc = "Kernel command line."});
  f("container", x.container, {.doc = "Where the kernel and initrd come from."});
}

/// ACPI tables (Windows licensing blobs from secrets).
struct firmware_acpi {
  std::string slic_name_ref;
  std::string msdm_name_ref;
  unknown_fields unknown;
  bool operator==(const firmware_acpi&) const = default;
};

template <class F>
void describe(F& f, firmware_acpi& x) {
  f("slicNameRef", x.slic_name_ref, {.doc = "Volume (a secret) holding the SLIC table."});
  f("msdmNameRef", x.msdm_name_ref, {.doc = "Volume (a secret) holding the MSDM table."});
}

/// Firmware.
struct domain_firmware {
  std::string uuid;
  std::optional<firmware_bootloader> bootloader;
  std::string serial;
  std::optional<firmware_kernel_boot> kernel_boot;
  std::optional<firmware_acpi> acpi;
  unknown_fields unknown;
  bool operator==(const domain_firmware&) const = default;
};

template <class F>
void describe(F& f, domain_firmware& x) {
  f("uuid", x.uuid, {.doc = "SMBIOS UUID; defaults to a UUID derived from the name."});
  f("bootloader", x.bootloader, {.doc = "BIOS or EFI."});
  f("serial", x.serial, {.doc = "SMBIOS system serial number."});
  f("kernelBoot", x.kernel_boot, {.doc = "Boot a kernel directly."});
  f("acpi", x.acpi, {.doc = "Extra ACPI tables."});
}

/// IOThreadsPolicy.
enum class io_threads_policy { shared, auto_, supplemental_pool };

template <>
struct enum_table<io_threads_policy> {
  static constexpr std::array entries = {
    enum_entry{io_threads_policy::shared, "shared"},
    enum_entry{io_threads_policy::auto_, "auto"},
    enum_entry{io_threads_policy::supplemental_pool, "supplementalPool"},
  };
};

/// RebootPolicy: what a reboot from inside the guest does.
enum class reboot_policy { reboot, terminate };

template <>
struct enum_table<reboot_policy> {
  static constexpr std::array entries = {
    enum_entry{reboot_policy::reboot, "Reboot"},
    enum_entry{reboot_policy::terminate, "Terminate"},
  };
};

/// DomainSpec.
struct domain_spec {
  domain_resources resources;
  std::optional<domain_cpu> cpu;
  std::optional<domain_memory> memory;
  std::optional<domain_machine> machine;
  std::optional<domain_firmware> firmware;
  std::optional<domain_clock> clock;
  std::optional<domain_features> features;
  domain_devices devices;
  std::optional<enum_field<io_threads_policy>> io_threads_policy_;
  std::optional<json> io_threads;
  std::optional<json> chassis;
  std::optional<json> launch_security;
  std::optional<enum_field<reboot_policy>> reboot_policy_;
  unknown_fields unknown;
  bool operator==(const domain_spec&) const = default;
};

template <class F>
void describe(F& f, domain_spec& x) {
  f("resources", x.resources, {.doc = "Compute resources of the VMI."});
  f("cpu", x.cpu, {.doc = "CPU topology, model and placement."});
  f("memory", x.memory, {.doc = "Guest memory."});
  f("machine", x.machine, {.doc = "Machine type."});
  f("firmware", x.firmware, {.doc = "Firmware, bootloader and SMBIOS identity."});
  f("clock", x.clock, {.doc = "Clock offset and timers."});
  f("features", x.features, {.doc = "ACPI, APIC, SMM, Hyper-V and friends."});
  f("devices", x.devices, {.required = true, .doc = "Disks, interfaces and other devices."});
  f("ioThreadsPolicy", x.io_threads_policy_, {.doc = "How disks share I/O threads: shared, auto or supplementalPool."});
  f("ioThreads", x.io_threads, {.doc = "I/O thread options."});
  f("chassis", x.chassis, {.doc = "SMBIOS chassis information."});
  f("launchSecurity", x.launch_security, {.doc = "Confidential computing (SEV, SNP, TDX)."});
  f("rebootPolicy", x.reboot_policy_, {.doc = "Reboot (default) or Terminate the VMI when the guest reboots."});
}

} // namespace podvisor::kube::api
