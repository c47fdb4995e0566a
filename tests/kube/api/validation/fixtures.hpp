#pragma once
// A valid VirtualMachineInstance built in code, for validation tests to break one thing at
// a time, and a helper to compare the messages a validator returns.

#include <string>
#include <vector>

#include "kube/api/field_error.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/api/quantity.hpp"

namespace podvisor::kube::api::testing {

inline quantity q(std::string_view text) { return quantity::parse(text).value(); }

/// A VMI that passes validation: two disks and a CD-ROM backed by a container disk,
/// cloud-init and a claim; a masquerade NIC on the pod network and a bridge NIC on a
/// Multus network.
inline virtual_machine_instance valid_vmi() {
  virtual_machine_instance vmi;
  vmi.metadata.name = "testvmi";
  vmi.metadata.namespace_ = "default";
  vmi.metadata.labels = {{"kubevirt.io/domain", "testvmi"}};

  auto& spec = vmi.spec;
  spec.termination_grace_period_seconds = 30;
  spec.hostname = "testvmi";

  auto& domain = spec.domain;
  domain.resources.requests = {{"cpu", q("500m")}, {"memory", q("1Gi")}};
  domain.resources.limits = {{"cpu", q("1")}, {"memory", q("2Gi")}};
  domain.cpu.emplace();
  domain.cpu->cores = 2;
  domain.cpu->sockets = 1;
  domain.cpu->threads = 1;
  domain.memory.emplace();
  domain.memory->guest = q("1Gi");
  domain.firmware.emplace();
  domain.firmware->bootloader.emplace();
  domain.firmware->bootloader->efi.emplace();
  domain.firmware->serial = "serial-1.0";

  auto& disks = domain.devices.disks;
  disks.resize(3);
  disks[0].name = "rootdisk";
  disks[0].disk_.emplace();
  disks[0].disk_->bus = disk_bus::virtio;
  disks[0].boot_order = 1;
  disks[0].cache = driver_cache::none;
  disks[0].io = driver_io::native;
  disks[1].name = "cloudinit";
  disks[1].disk_.emplace();
  disks[1].disk_->bus = disk_bus::virtio;
  disks[2].name = "iso";
  disks[2].cdrom.emplace();
  disks[2].cdrom->bus = disk_bus::sata;
  disks[2].boot_order = 2;

  auto& ifaces = domain.devices.interfaces;
  ifaces.resize(2);
  ifaces[0].name = "default";
  ifaces[0].masquerade.emplace();
  ifaces[0].model = interface_model::virtio;
  ifaces[0].mac_address = "02:00:00:00:00:01";
  ifaces[0].ports = {{.name = "ssh", .protocol_ = protocol::tcp, .port = 22, .unknown = {}},
                     {.name = "dns", .protocol_ = protocol::udp, .port = 53, .unknown = {}}};
  ifaces[1].name = "net2";
  ifaces[1].bridge.emplace();
  ifaces[1].boot_order = 3;

  spec.networks.resize(2);
  spec.networks[0].name = "default";
  spec.networks[0].pod.emplace();
  spec.networks[0].pod->vm_network_cidr = "10.0.2.0/24";
  spec.networks[1].name = "net2";
  spec.networks[1].multus.emplace();
  spec.networks[1].multus->network_name = "br-net";

  spec.volumes.resize(3);
  spec.volumes[0].name = "rootdisk";
  spec.volumes[0].container_disk.emplace();
  spec.volumes[0].container_disk->image = "quay.io/containerdisks/fedora:40";
  spec.volumes[1].name = "cloudinit";
  spec.volumes[1].cloud_init_no_cloud.emplace();
  spec.volumes[1].cloud_init_no_cloud->user_data = "#cloud-config\npassword: fedora\n";
  spec.volumes[2].name = "iso";
  spec.volumes[2].persistent_volume_claim.emplace();
  spec.volumes[2].persistent_volume_claim->claim_name = "iso-pvc";
  return vmi;
}

/// The messages of `errors`, in order.
inline std::vector<std::string> messages_of(const field_errors& errors) {
  std::vector<std::string> out;
  out.reserve(errors.size());
  for (const auto& e : errors)
    out.push_back(e.message());
  return out;
}

using messages = std::vector<std::string>;

} // namespace podvisor::kube::api::testing
