// Volume rules (kube/api/validation/volumes.cpp), through validate(virtual_machine_instance).

#include <catch2/catch_test_macros.hpp>

#include "kube/api/validation/spec_rules.hpp"
#include "kube/api/validation/vmi.hpp"
#include "tests/kube/api/validation/fixtures.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::testing;

namespace {

// A VMI with an extra volume `name` and a disk for it.
template <class Setup>
virtual_machine_instance with_volume(std::string name, Setup setup) {
  auto vmi = valid_vmi();
  auto& d = vmi.spec.domain.devices.disks.emplace_back();
  d.name = name;
  auto& v = vmi.spec.volumes.emplace_back();
  v.name = std::move(name);
  setup(v);
  return vmi;
}

} // namespace

TEST_CASE("a volume has exactly one source", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.volumes[2].persistent_volume_claim.reset();
  CHECK(messages_of(validate(vmi)) == messages{"spec.volumes[2]: Required value: must specify a volume source"});

  vmi = valid_vmi();
  vmi.spec.volumes[0].empty_disk = empty_disk_source{.capacity = q("1Gi"), .unknown = {}};
  vmi.spec.volumes[0].data_volume = data_volume_source{.name = "dv", .hotpluggable = false, .unknown = {}};
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[0].emptyDisk: Forbidden: may not specify more than 1 volume source",
                    "spec.volumes[0].dataVolume: Forbidden: may not specify more than 1 volume source"});
}

TEST_CASE("volume names are required, unique RFC 1123 labels", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& dup = vmi.spec.volumes.emplace_back();
  dup.name = "rootdisk";
  dup.container_disk.emplace();
  dup.container_disk->image = "example/disk";
  CHECK(messages_of(validate(vmi)) == messages{R"(spec.volumes[3].name: Duplicate value: "rootdisk")"});

  vmi = valid_vmi();
  vmi.spec.volumes[2].name.clear();
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.disks[2].name: Not found: "iso")", "spec.volumes[2].name: Required value"});
}

TEST_CASE("every volume is used by a disk, except a memory dump", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& scratch = vmi.spec.volumes.emplace_back();
  scratch.name = "scratch";
  scratch.empty_disk = empty_disk_source{.capacity = q("1Gi"), .unknown = {}};
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.volumes[3].name: Invalid value: "scratch": must be used by a disk or filesystem of the same name)"});

  vmi = valid_vmi();
  auto& dump = vmi.spec.volumes.emplace_back();
  dump.name = "dump";
  dump.memory_dump.emplace();
  dump.memory_dump->claim_name = "dump-pvc";
  CHECK(validate(vmi).empty());
}

TEST_CASE("container disks need an image and a clean path", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.volumes[0].container_disk->image.clear();
  CHECK(messages_of(validate(vmi)) == messages{"spec.volumes[0].containerDisk.image: Required value"});

  vmi = valid_vmi();
  vmi.spec.volumes[0].container_disk->path = "/disk/fedora.qcow2";
  CHECK(validate(vmi).empty());
  vmi.spec.volumes[0].container_disk->path = "disk/../fedora.qcow2";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.volumes[0].containerDisk.path: Invalid value: "disk/../fedora.qcow2": must be an absolute path without relative components)"});
  vmi.spec.volumes[0].container_disk->path = "/";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.volumes[0].containerDisk.path: Invalid value: "/": must not point to root)"});
}

TEST_CASE("image paths are absolute and clean", "[kube][api][validation]") {
  for (const char* ok : {"/a", "/a/b.img", "/a/b/"}) {
    field_errors errors;
    detail::validate_image_path(ok, field_path{"p"}, errors);
    CHECK(errors.empty());
  }
  for (const char* bad : {"a", "./a", "/a/./b", "/a/../b", "//a", "/a//b", "/a//", "/..", ""}) {
    field_errors errors;
    detail::validate_image_path(bad, field_path{"p"}, errors);
    CHECK(errors.size() == 1);
  }
}

TEST_CASE("claim, data volume, config map, secret and service account names are required",
          "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.volumes[2].persistent_volume_claim->claim_name.clear();
  CHECK(messages_of(validate(vmi)) == messages{"spec.volumes[2].persistentVolumeClaim.claimName: Required value"});

  CHECK(messages_of(validate(with_volume("dv", [](vmi_volume& v) { v.data_volume.emplace(); })))
        == messages{"spec.volumes[3].dataVolume.name: Required value"});
  CHECK(messages_of(validate(with_volume("cm", [](vmi_volume& v) { v.config_map.emplace(); })))
        == messages{"spec.volumes[3].configMap.name: Required value"});
  CHECK(messages_of(validate(with_volume("sec", [](vmi_volume& v) { v.secret.emplace(); })))
        == messages{"spec.volumes[3].secret.secretName: Required value"});
  CHECK(messages_of(validate(with_volume("sa", [](vmi_volume& v) { v.service_account.emplace(); })))
        == messages{"spec.volumes[3].serviceAccount.serviceAccountName: Required value"});
  CHECK(messages_of(validate(with_volume("eph", [](vmi_volume& v) { v.ephemeral.emplace(); })))
        == messages{"spec.volumes[3].ephemeral.persistentVolumeClaim: Required value"});
}

TEST_CASE("at most one serviceAccount volume", "[kube][api][validation]") {
  auto sa = [](vmi_volume& v) {
    v.service_account.emplace();
    v.service_account->service_account_name = "default";
  };
  auto vmi = with_volume("sa1", sa);
  CHECK(validate(vmi).empty());
  auto& d = vmi.spec.domain.devices.disks.emplace_back();
  d.name = "sa2";
  auto& v = vmi.spec.volumes.emplace_back();
  v.name = "sa2";
  sa(v);
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[4].serviceAccount: Forbidden: at most one serviceAccount volume may be set"});
}

TEST_CASE("host disks", "[kube][api][validation]") {
  auto host = [](std::string path, std::string_view type) {
    return [path, type](vmi_volume& v) {
      v.host_disk.emplace();
      v.host_disk->path = path;
      v.host_disk->type.set_raw(std::string(type));
    };
  };
  CHECK(validate(with_volume("hd", host("/var/lib/images/a.img", "Disk"))).empty());
  CHECK(messages_of(validate(with_volume("hd", host("images/a.img", "Disk"))))
        == messages{R"(spec.volumes[3].hostDisk.path: Invalid value: "images/a.img": must be an absolute path without relative components)"});
  CHECK(messages_of(validate(with_volume("hd", host("", ""))))
        == messages{"spec.volumes[3].hostDisk.path: Required value", "spec.volumes[3].hostDisk.type: Required value"});
  CHECK(messages_of(validate(with_volume("hd", host("/a.img", "File"))))
        == messages{R"(spec.volumes[3].hostDisk.type: Unsupported value: "File": supported values: "Disk", "DiskOrCreate")"});

  auto vmi = with_volume("hd", host("/a.img", "Disk"));
  vmi.spec.volumes[3].host_disk->capacity = q("10Gi");
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[3].hostDisk.capacity: Forbidden: may only be set when type is DiskOrCreate"});
  vmi.spec.volumes[3].host_disk->type = host_disk_type::disk_or_create;
  CHECK(validate(vmi).empty());
}

TEST_CASE("empty disks have a positive capacity", "[kube][api][validation]") {
  auto vmi = with_volume("scratch", [](vmi_volume& v) { v.empty_disk.emplace(); });
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.volumes[3].emptyDisk.capacity: Invalid value: "0": must be greater than 0)"});
  vmi.spec.volumes[3].empty_disk->capacity = q("2Gi");
  CHECK(validate(vmi).empty());
}

TEST_CASE("cloud-init data comes from one place each", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& ci = *vmi.spec.volumes[1].cloud_init_no_cloud;
  ci.user_data_base64 = "I2Nsb3VkLWNvbmZpZwo=";
  ci.secret_ref = name_reference{.name = "userdata", .unknown = {}};
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[1].cloudInitNoCloud.userDataBase64: Forbidden: only one of secretRef, userDataBase64 and userData may be set",
                    "spec.volumes[1].cloudInitNoCloud.userData: Forbidden: only one of secretRef, userDataBase64 and userData may be set"});

  vmi = valid_vmi();
  auto& ci2 = *vmi.spec.volumes[1].cloud_init_no_cloud;
  ci2.network_data = "version: 2\n";
  ci2.network_data_secret_ref = name_reference{.name = "netdata", .unknown = {}};
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[1].cloudInitNoCloud.networkData: Forbidden: only one of networkDataSecretRef, networkDataBase64 and networkData may be set"});

  vmi = valid_vmi();
  vmi.spec.volumes[1].cloud_init_no_cloud->user_data.clear();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[1].cloudInitNoCloud: Required value: at least one of userData, userDataBase64, secretRef, networkData, networkDataBase64 or networkDataSecretRef must be set"});
  vmi.spec.volumes[1].cloud_init_no_cloud->network_data = "version: 2\n";
  CHECK(validate(vmi).empty());

  vmi = valid_vmi();
  vmi.spec.volumes[1].cloud_init_no_cloud.reset();
  vmi.spec.volumes[1].cloud_init_config_drive = cloud_init_source{};
  vmi.spec.volumes[1].cloud_init_config_drive->secret_ref = name_reference{.name = "userdata", .unknown = {}};
  CHECK(validate(vmi).empty());
}

TEST_CASE("cloud-init data is valid base64 and at most 2048 bytes", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& ci = *vmi.spec.volumes[1].cloud_init_no_cloud;
  ci.user_data = std::string(2048, 'x');
  CHECK(validate(vmi).empty());
  ci.user_data = std::string(2049, 'x');
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[1].cloudInitNoCloud.userData: Too long: may not be more than 2048 bytes"});

  ci.user_data.clear();
  ci.user_data_base64 = "not base64!";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.volumes[1].cloudInitNoCloud.userDataBase64: Invalid value: "not base64!": must be valid base64)"});
  ci.user_data_base64 = "I2Nsb3VkLWNvbmZpZwo"; // padding missing: Go's StdEncoding refuses it
  CHECK(validate(vmi).size() == 1);
  // 2049 bytes once decoded: 683 groups of 4 characters, 3 bytes each.
  ci.user_data_base64 = std::string(2732, 'A');
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[1].cloudInitNoCloud.userDataBase64: Too long: may not be more than 2048 bytes"});
  ci.user_data_base64 = "I2Nsb3Vk\nLWNvbmZpZwo=";
  CHECK(validate(vmi).empty());
}

TEST_CASE("sysprep names a secret or a config map", "[kube][api][validation]") {
  auto vmi = with_volume("sysprep", [](vmi_volume& v) { v.sysprep.emplace(); });
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[3].sysprep: Required value: one of secret or configMap must be set"});
  vmi.spec.volumes[3].sysprep->secret = name_reference{.name = "unattend", .unknown = {}};
  CHECK(validate(vmi).empty());
  vmi.spec.volumes[3].sysprep->config_map = name_reference{.name = "unattend", .unknown = {}};
  CHECK(messages_of(validate(vmi))
        == messages{"spec.volumes[3].sysprep.configMap: Forbidden: may not be set together with secret"});
}
