#include "kube/api/kubevirt/vmi.hpp"

#include <algorithm>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("VMI enum tables match KubeVirt", "[kube][api][kubevirt][vmi]") {
  check_enum_table<eviction_strategy>({"None", "LiveMigrate", "LiveMigrateIfPossible", "External"});
  check_enum_table<start_strategy>({"Paused"});
}

TEST_CASE("VMI kind info", "[kube][api][kubevirt][vmi]") {
  constexpr auto k = kind_info<virtual_machine_instance>::value;
  STATIC_REQUIRE(api_kind<virtual_machine_instance>);
  CHECK(k.api_version() == "kubevirt.io/v1");
  CHECK(k.group == "kubevirt.io");
  CHECK(k.kind == "VirtualMachineInstance");
  CHECK(k.list_kind == "VirtualMachineInstanceList");
  CHECK(k.plural == "virtualmachineinstances");
  CHECK(k.singular == "virtualmachineinstance");
  CHECK(k.short_names[0] == "vmi");
  CHECK(k.short_names[1] == "vmis");
  CHECK(k.namespaced);
  CHECK(k.has_status);
  virtual_machine_instance vmi;
  CHECK(vmi.api_version == k.api_version());
  CHECK(vmi.kind == k.kind);
}

TEST_CASE("a VMI with cloud-init NoCloud and a container disk round-trips", "[kube][api][kubevirt][vmi]") {
  auto vmi = round_trip<virtual_machine_instance>(load_manifest("vmi-cloudinit-containerdisk.json"));
  CHECK(vmi.metadata.name == "cirros");
  CHECK(vmi.spec.termination_grace_period_seconds == 0); // a pointer in Go: 0 is kept
  CHECK(vmi.spec.domain.resources.requests.at("memory") == *quantity::parse("128Mi"));
  CHECK(vmi.spec.domain.devices.rng.has_value());
  REQUIRE(vmi.spec.volumes.size() == 2);
  CHECK(vmi.spec.volumes[0].container_disk->image == "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0");
  REQUIRE(vmi.spec.volumes[1].cloud_init_no_cloud);
  CHECK(vmi.spec.volumes[1].cloud_init_no_cloud->user_data.starts_with("#cloud-config\n"));
  CHECK(vmi.spec.volumes[1].cloud_init_no_cloud->network_data.starts_with("version: 2"));
}

TEST_CASE("a VMI with disks, a CD-ROM, a LUN, an empty disk and a host disk round-trips",
          "[kube][api][kubevirt][vmi]") {
  auto in = load_manifest("vmi-disks.json");
  auto result = decode<virtual_machine_instance>(in);
  REQUIRE(result.ok());
  // Unknown members at several depths are reported (for strict field validation) and kept.
  auto reported = [&](const std::string& path) {
    return std::find(result.unknown.begin(), result.unknown.end(), path) != result.unknown.end();
  };
  CHECK(reported("metadata.futureMetadataField"));
  CHECK(reported("spec.domain.devices.disks[0].futureDiskField"));
  CHECK(reported("spec.volumes[3].emptyDisk.futureEmptyDiskField"));

  auto vmi = round_trip<virtual_machine_instance>(in);
  const auto& disks = vmi.spec.domain.devices.disks;
  REQUIRE(disks.size() == 5);
  CHECK(disks[0].disk_->bus == disk_bus::virtio);
  CHECK(disks[0].boot_order == 1u);
  CHECK(disks[0].serial == "ROOT0001");
  CHECK(disks[0].cache == driver_cache::none);
  CHECK(disks[0].io == driver_io::native);
  CHECK(disks[1].cdrom->bus == disk_bus::sata);
  CHECK(disks[1].cdrom->readonly == true);
  CHECK(disks[1].boot_order == 2u);
  CHECK(disks[2].lun->reservation);
  CHECK(disks[2].io == driver_io::threads);
  CHECK(disks[3].dedicated_io_thread == true);
  CHECK(disks[4].disk_.has_value());
  CHECK(disks[4].disk_->bus.empty());

  const auto& volumes = vmi.spec.volumes;
  CHECK(volumes[2].persistent_volume_claim->read_only);
  CHECK(volumes[3].empty_disk->capacity == *quantity::parse("2Gi"));
  CHECK(volumes[4].host_disk->path == "/var/lib/images/storage-demo.img");
  CHECK(volumes[4].host_disk->type == host_disk_type::disk_or_create);
  CHECK(volumes[4].host_disk->capacity == *quantity::parse("1Gi"));

  CHECK(vmi.spec.domain.cpu->model == "host-passthrough");
  CHECK(vmi.spec.domain.firmware->bootloader->efi->secure_boot == false);
  CHECK(vmi.spec.domain.devices.autoattach_graphics_device == false);
  CHECK(vmi.metadata.unknown.members.at("futureMetadataField") == "kept");
}

TEST_CASE("a VMI with masquerade binding and ports round-trips", "[kube][api][kubevirt][vmi]") {
  auto vmi = round_trip<virtual_machine_instance>(load_manifest("vmi-masquerade.json"));
  const auto& ifaces = vmi.spec.domain.devices.interfaces;
  REQUIRE(ifaces.size() == 2);
  CHECK(binding_of(ifaces[0]) == binding_method::masquerade);
  CHECK(ifaces[0].model == interface_model::virtio);
  CHECK(ifaces[0].ports.at(0).port == 80);
  CHECK(ifaces[0].ports.at(1).protocol_ == protocol::udp);
  CHECK(ifaces[0].mac_address == "02:00:00:0a:0b:0c");
  CHECK(ifaces[0].dhcp_options_->ntp_servers.size() == 2);
  CHECK(binding_of(ifaces[1]) == binding_method::bridge);
  CHECK(ifaces[1].state == interface_state::down);
  CHECK(ifaces[1].boot_order == 3u);
  CHECK(vmi.spec.networks.at(0).pod->vm_network_cidr == "10.11.12.0/24");
  CHECK(vmi.spec.networks.at(1).multus->network_name == "default/storage-net");
  CHECK(vmi.spec.volumes.at(0).container_disk->image_pull_policy == pull_policy::always);
  CHECK(vmi.spec.unknown.members.contains("futureSpecField"));
}

TEST_CASE("VMI spec fields that carry Kubernetes types decode into them", "[kube][api][kubevirt][vmi]") {
  auto in = json::parse(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"x"},
    "spec":{"domain":{"devices":{}},"nodeSelector":{"kubernetes.io/arch":"amd64"},
      "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}},
      "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule"}],
      "evictionStrategy":"LiveMigrateIfPossible","startStrategy":"Paused","dnsPolicy":"None",
      "dnsConfig":{"nameservers":["192.0.2.53"]},"hostname":"h","subdomain":"s","architecture":"amd64",
      "readinessProbe":{"tcpSocket":{"port":22},"initialDelaySeconds":5,"periodSeconds":2},
      "livenessProbe":{"guestAgentPing":{},"failureThreshold":6},
      "accessCredentials":[{"sshPublicKey":{"source":{"secret":{"secretName":"keys"}},"propagationMethod":{"noCloud":{}}}}]}})");
  auto vmi = round_trip<virtual_machine_instance>(in);
  const auto& spec = vmi.spec;
  CHECK(spec.affinity_->node_affinity_.has_value());
  CHECK(spec.tolerations.at(0).operator_ == toleration_operator::exists);
  CHECK(spec.eviction_strategy_ == enum_field{eviction_strategy::live_migrate_if_possible});
  CHECK(spec.start_strategy_ == enum_field{start_strategy::paused});
  CHECK(spec.dns_policy_ == dns_policy::none);
  CHECK(spec.readiness_probe->initial_delay_seconds == 5);
  CHECK(spec.readiness_probe->tcp_socket->at("port") == 22);
  CHECK(spec.liveness_probe->guest_agent_ping.has_value());
  CHECK(spec.access_credentials.size() == 1);
}

TEST_CASE("VMI decoding reports wrong types with full field paths", "[kube][api][kubevirt][vmi]") {
  auto out = decode<virtual_machine_instance>(json::parse(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "spec":{"domain":{"cpu":{"cores":"two"},"devices":{"interfaces":[{"name":"default","ports":[{"port":"80"}]}]}},
            "volumes":[{"name":"v","emptyDisk":{"capacity":"lots"}}]}})"));
  REQUIRE(out.errors.size() == 3);
  CHECK(out.errors[0].field == "spec.domain.cpu.cores");
  CHECK(out.errors[1].field == "spec.domain.devices.interfaces[0].ports[0].port");
  CHECK(out.errors[2].field == "spec.volumes[0].emptyDisk.capacity");
}

TEST_CASE("the VMI schema marks the required fields and carries docs", "[kube][api][kubevirt][vmi]") {
  auto s = schema<virtual_machine_instance>();
  CHECK(s["required"] == json::array({"apiVersion", "kind", "spec"}));
  const auto& spec = s["properties"]["spec"];
  CHECK(spec["required"] == json::array({"domain"}));
  CHECK(spec["properties"]["evictionStrategy"]["enum"]
        == json::array({"None", "LiveMigrate", "LiveMigrateIfPossible", "External"}));
  const auto& disk_props = spec["properties"]["domain"]["properties"]["devices"]["properties"]["disks"]["items"];
  CHECK(disk_props["required"] == json::array({"name"}));
  CHECK(disk_props["properties"]["disk"]["properties"]["bus"]["enum"] == json::array({"virtio", "sata", "scsi", "usb"}));
  CHECK_FALSE(spec["properties"]["volumes"]["items"]["properties"]["hostDisk"]["description"].get<std::string>().empty());
  CHECK(s["properties"]["status"]["properties"]["phase"]["enum"].size() == 9);
}
