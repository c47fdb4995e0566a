#include "kube/api/kubevirt/disks.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("disk enum tables match KubeVirt", "[kube][api][kubevirt][disks]") {
  check_enum_table<disk_bus>({"virtio", "sata", "scsi", "usb"});
  check_enum_table<driver_cache>({"none", "writethrough", "writeback", "directsync"});
  check_enum_table<driver_io>({"native", "threads"});
  check_enum_table<tray_state>({"open", "closed"});
  check_enum_table<disk_error_policy>({"stop", "ignore", "report", "enospace"});
}

TEST_CASE("a disk keeps which device kind it is and its tuning", "[kube][api][kubevirt][disks]") {
  auto in = json::parse(R"({"name":"root","cdrom":{"bus":"sata","readonly":false,"tray":"open"},
    "bootOrder":1,"cache":"none","io":"native","errorPolicy":"report","blockSize":{"matchVolume":{}},
    "shareable":false})");
  auto d = round_trip<disk>(in);
  CHECK_FALSE(d.disk_);
  CHECK_FALSE(d.lun);
  REQUIRE(d.cdrom);
  CHECK(d.cdrom->bus == disk_bus::sata);
  CHECK(d.cdrom->readonly == false); // a pointer in KubeVirt: false is kept, not dropped
  CHECK(d.cdrom->tray == tray_state::open);
  CHECK(d.boot_order == 1u);
  CHECK(d.cache == driver_cache::none);
  CHECK(d.io == driver_io::native);
  CHECK(d.error_policy == enum_field{disk_error_policy::report});
  REQUIRE(d.block_size_);
  CHECK(d.block_size_->match_volume.has_value());
  CHECK(d.shareable == false);
}

TEST_CASE("a plain disk without options encodes as disk: {}", "[kube][api][kubevirt][disks]") {
  disk d;
  d.name = "data";
  d.disk_.emplace();
  CHECK(encode(d) == json::parse(R"({"name":"data","disk":{}})"));
}

TEST_CASE("disk decoding reports a bad boot order with its path", "[kube][api][kubevirt][disks]") {
  auto out = decode<disk>(json::parse(R"({"name":"x","bootOrder":-1,"disk":{"bus":7}})"));
  REQUIRE(out.errors.size() == 2);
  // In declaration order: disk comes before bootOrder.
  CHECK(out.errors[0].message() == "disk.bus: Invalid value: 7: must be of type string");
  CHECK(out.errors[1].field == "bootOrder");
}
