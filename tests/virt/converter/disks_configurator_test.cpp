#include "virt/converter/disks_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

namespace {

converter_input with_volumes(const std::string& disks, std::initializer_list<const char*> names) {
  auto in = input_from(R"({"domain":{"devices":{"disks":)" + disks + "}}}");
  for (const char* name : names)
    in.volumes[name] = volume_fact{std::string("/var/run/vol/") + name + ".img", disk_source_type::file, "raw"};
  return in;
}

} // namespace

TEST_CASE("disks: device names count per prefix like libvirt", "[virt][converter]") {
  CHECK(device_name("vd", 0) == "vda");
  CHECK(device_name("vd", 25) == "vdz");
  CHECK(device_name("vd", 26) == "vdaa");
  CHECK(device_name("sd", 27) == "sdab");
  CHECK(device_name("sd", 701) == "sdzz");
  CHECK(device_name("sd", 702) == "sdaaa");
}

TEST_CASE("disks: bus and target name by kind", "[virt][converter]") {
  auto in = with_volumes(R"([
      {"name":"a"},
      {"name":"b","disk":{"bus":"virtio"}},
      {"name":"c","disk":{"bus":"sata"}},
      {"name":"d","disk":{"bus":"scsi"}},
      {"name":"e","cdrom":{}},
      {"name":"f","cdrom":{"bus":"scsi"}},
      {"name":"g","disk":{"bus":"usb"}}])",
                         {"a", "b", "c", "d", "e", "f", "g"});
  conversion_problems problems;
  check_disks(in, problems);
  REQUIRE(problems.empty());
  domain d;
  configure_disks(in, d);
  struct row {
    const char* dev;
    disk_bus bus;
    disk_device device;
    bool readonly;
  };
  const row rows[] = {
    {"vda", disk_bus::virtio, disk_device::disk, false}, {"vdb", disk_bus::virtio, disk_device::disk, false},
    {"sda", disk_bus::sata, disk_device::disk, false},   {"sdb", disk_bus::scsi, disk_device::disk, false},
    {"sdc", disk_bus::sata, disk_device::cdrom, true},   {"sdd", disk_bus::scsi, disk_device::cdrom, true},
    {"sde", disk_bus::usb, disk_device::disk, false},
  };
  REQUIRE(d.devices.disks.size() == std::size(rows));
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    INFO(i);
    const auto& out = d.devices.disks[i];
    CHECK(out.target_dev == rows[i].dev);
    CHECK(out.bus == rows[i].bus);
    CHECK(out.device == rows[i].device);
    CHECK(out.readonly == rows[i].readonly);
  }
}

TEST_CASE("disks: the volume facts and per-disk settings carry over", "[virt][converter]") {
  auto in = with_volumes(R"([{"name":"root","bootOrder":1,"serial":"S1","cache":"none","io":"native",
      "errorPolicy":"report","shareable":true,"disk":{"readonly":true}},
      {"name":"iso","cdrom":{"readonly":false,"tray":"closed"}}])",
                         {"root", "iso"});
  in.volumes["root"] = volume_fact{.path = "/dev/vg/root", .type = disk_source_type::block, .format = "qcow2"};
  conversion_problems problems;
  check_disks(in, problems);
  REQUIRE(problems.empty());
  domain d;
  configure_disks(in, d);
  REQUIRE(d.devices.disks.size() == 2);
  const auto& root = d.devices.disks[0];
  CHECK(root.source == "/dev/vg/root");
  CHECK(root.source_type == disk_source_type::block);
  CHECK(root.driver_type == "qcow2");
  CHECK(root.boot_order == 1u);
  CHECK(root.serial == "S1");
  CHECK(root.cache == "none");
  CHECK(root.io == "native");
  CHECK(root.error_policy == "report");
  CHECK(root.shareable);
  CHECK(root.readonly);
  CHECK(root.alias == "ua-root");
  const auto& iso = d.devices.disks[1];
  CHECK_FALSE(iso.readonly);
  CHECK(iso.tray == "closed");
  CHECK_FALSE(iso.boot_order);
}

TEST_CASE("disks: what cannot be produced is reported", "[virt][converter]") {
  struct row {
    const char* disks;
    std::size_t invalid;
    std::size_t unsupported;
  };
  const row rows[] = {
    {R"([{"name":"missing"}])", 1, 0},
    {R"([{"name":"v","lun":{}}])", 0, 1},
    {R"([{"name":"v","cdrom":{"bus":"virtio"}}])", 1, 0},
    {R"([{"name":"v","disk":{"bus":"ide"}}])", 1, 0},
    {R"([{"name":"v","io":"native","cache":"writeback"}])", 1, 0},
    {R"([{"name":"v","io":"native"}])", 1, 0},
    {R"([{"name":"v","io":"native","cache":"directsync"}])", 0, 0},
    {R"([{"name":"v","dedicatedIOThread":true}])", 0, 1},
    {R"([{"name":"v","blockSize":{"matchVolume":{}}}])", 0, 1},
    {R"([{"name":"v","disk":{"pciAddress":"0000:81:01.0"}}])", 0, 1},
  };
  for (const auto& r : rows) {
    INFO(r.disks);
    auto in = with_volumes(r.disks, {"v"});
    conversion_problems problems;
    check_disks(in, problems);
    CHECK(problems.invalid.size() == r.invalid);
    CHECK(problems.unsupported.size() == r.unsupported);
  }
}
