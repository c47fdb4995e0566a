#include "kube/api/kubevirt/volumes.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("volume enum tables match KubeVirt", "[kube][api][kubevirt][volumes]") {
  check_enum_table<host_disk_type>({"Disk", "DiskOrCreate"});
}

TEST_CASE("every volume source decodes and round-trips", "[kube][api][kubevirt][volumes]") {
  auto in = json::parse(R"([
    {"name":"a","containerDisk":{"image":"quay.io/x/y:v1","path":"/disk/img.qcow2","imagePullPolicy":"IfNotPresent","imagePullSecret":"pull"}},
    {"name":"b","persistentVolumeClaim":{"claimName":"c","readOnly":true,"hotpluggable":true}},
    {"name":"c","dataVolume":{"name":"dv","hotpluggable":true}},
    {"name":"d","emptyDisk":{"capacity":"2Gi"}},
    {"name":"e","hostDisk":{"path":"/data/e.img","type":"Disk","capacity":"0","shared":true}},
    {"name":"f","ephemeral":{"persistentVolumeClaim":{"claimName":"golden"}}},
    {"name":"g","cloudInitNoCloud":{"secretRef":{"name":"s"},"networkDataSecretRef":{"name":"n"}}},
    {"name":"h","cloudInitConfigDrive":{"userDataBase64":"I2Nsb3VkLWNvbmZpZw==","networkDataBase64":"dmVyc2lvbjogMg==","networkData":"version: 2"}},
    {"name":"i","configMap":{"name":"cm","optional":true,"volumeLabel":"OEMDRV"}},
    {"name":"j","secret":{"secretName":"sec","volumeLabel":"cidata"}},
    {"name":"k","serviceAccount":{"serviceAccountName":"default"}},
    {"name":"l","downwardAPI":{"fields":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}}]}},
    {"name":"m","sysprep":{"configMap":{"name":"unattend"}}},
    {"name":"n","downwardMetrics":{}},
    {"name":"o","memoryDump":{"claimName":"dump","hotpluggable":true}},
    {"name":"p","containerPath":{"path":"/var/run/shared","readOnly":false}}
  ])");
  auto volumes = round_trip<std::vector<vmi_volume>>(in);
  REQUIRE(volumes.size() == 16);
  for (const auto& v : volumes) {
    INFO(v.name);
    CHECK(source_count(v) == 1);
  }
  CHECK(volumes[0].container_disk->image_pull_policy == pull_policy::if_not_present);
  CHECK(volumes[3].empty_disk->capacity == *quantity::parse("2Gi"));
  CHECK(volumes[4].host_disk->type == host_disk_type::disk);
  CHECK(volumes[5].ephemeral->persistent_volume_claim->claim_name == "golden");
  CHECK(volumes[6].cloud_init_no_cloud->secret_ref->name == "s");
  CHECK(volumes[7].cloud_init_config_drive->network_data == "version: 2");
  CHECK(volumes[15].container_path->read_only == false);
}

TEST_CASE("a volume with no source or two sources is counted for validation", "[kube][api][kubevirt][volumes]") {
  vmi_volume v;
  v.name = "x";
  CHECK(source_count(v) == 0);
  v.empty_disk.emplace();
  v.container_disk.emplace();
  CHECK(source_count(v) == 2);
}

TEST_CASE("a host disk without capacity is written with capacity 0, as Go does", "[kube][api][kubevirt][volumes]") {
  auto out = decode<host_disk_source>(json::parse(R"({"path":"/p","type":"DiskOrCreate"})"));
  REQUIRE(out.ok());
  CHECK(encode(out.value) == json::parse(R"({"path":"/p","type":"DiskOrCreate","capacity":"0"})"));
}
