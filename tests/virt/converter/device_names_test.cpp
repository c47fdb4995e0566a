// virt/converter/device_names: which VMI device each device of a converted domain is.
#include "virt/converter/device_names.hpp"

#include "virt/converter/converter.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("device names: a converted VMI's taps and disk targets map to its names", "[virt][converter]") {
  auto in = input_from(R"({"domain":{"resources":{"requests":{"memory":"64Mi"}},"devices":{
      "interfaces":[{"name":"default","masquerade":{}},{"name":"storage","bridge":{}}],
      "disks":[{"name":"rootdisk","disk":{"bus":"virtio"}},{"name":"scratch","disk":{"bus":"virtio"}},
               {"name":"install","cdrom":{"bus":"sata"}}]}},
      "networks":[{"name":"default","pod":{}},{"name":"storage","multus":{"networkName":"s"}}],
      "volumes":[{"name":"rootdisk","emptyDisk":{"capacity":"1Gi"}},{"name":"scratch","emptyDisk":{"capacity":"1Gi"}},
                 {"name":"install","emptyDisk":{"capacity":"1Gi"}}]})",
                       domain_type::qemu, /*defaulted=*/true);
  in.interfaces["default"] = interface_fact{.tap = "tap0", .mac = "02:00:00:00:00:01"};
  in.interfaces["storage"] = interface_fact{.tap = "tap1", .mac = "02:00:00:00:00:02"};
  for (const char* name : {"rootdisk", "scratch", "install"})
    in.volumes[name] = volume_fact{std::string("/var/run/vol/") + name + ".img", disk_source_type::file, "raw"};
  auto d = convert(in);
  REQUIRE(d.has_value());
  auto names = device_names_of(*d);
  CHECK(names.interfaces == std::map<std::string, std::string>{{"tap0", "default"}, {"tap1", "storage"}});
  CHECK(names.disks ==
        std::map<std::string, std::string>{{"vda", "rootdisk"}, {"vdb", "scratch"}, {"sda", "install"}});
}

TEST_CASE("device names: a device without a target or a user alias is left out", "[virt][converter]") {
  domain d;
  for (auto [tap, alias] : {std::pair{"tap0", "net0"}, {"", "ua-x"}, {"tap2", "ua-"}, {"tap3", "ua-y"}}) {
    interface i;
    i.tap = tap;
    i.alias = alias;
    d.devices.interfaces.push_back(i);
  }
  disk plain;
  plain.target_dev = "vda";
  plain.alias = "virtio-disk0";
  disk named;
  named.target_dev = "vdb";
  named.alias = "ua-data";
  d.devices.disks = {plain, named};
  auto names = device_names_of(d);
  CHECK(names.interfaces == std::map<std::string, std::string>{{"tap3", "y"}});
  CHECK(names.disks == std::map<std::string, std::string>{{"vdb", "data"}});
}
