// virt/libvirt/device_names: which VMI device a libvirt device is.
#include "virt/libvirt/device_names.hpp"

#include <catch2/catch_test_macros.hpp>

namespace podvisor::virt {

TEST_CASE("device names: user aliases map target devices to VMI names", "[virt][libvirt]") {
  auto n = parse_device_names(R"(<domain type='kvm'><name>d</name><devices>
      <disk type='file' device='disk'><target dev='vda' bus='virtio'/><alias name='ua-rootdisk'/></disk>
      <disk type='file' device='cdrom'><target dev='sda' bus='sata'/><alias name='sata0-0-0'/></disk>
      <disk type='file' device='disk'><alias name='ua-notarget'/></disk>
      <interface type='ethernet'><target dev='tap-default' managed='no'/><alias name="ua-default"/></interface>
      <interface type='ethernet'><target dev='tap1'/><alias name='ua-'/></interface>
      <controller type='usb'><alias name='ua-usb'/></controller>
    </devices></domain>)");
  REQUIRE(n.has_value());
  CHECK(n->disks == std::map<std::string, std::string>{{"vda", "rootdisk"}});
  CHECK(n->interfaces == std::map<std::string, std::string>{{"tap-default", "default"}});
  CHECK(vmi_device_name(n->disks, "vda") == "rootdisk");
  CHECK(vmi_device_name(n->disks, "sda") == "sda");
  CHECK(vmi_device_name(n->interfaces, "tap1") == "tap1");
}

TEST_CASE("device names: a domain without devices has none", "[virt][libvirt]") {
  auto n = parse_device_names("<domain><name>d</name></domain>");
  REQUIRE(n.has_value());
  CHECK(n->disks.empty());
  CHECK(n->interfaces.empty());
}

TEST_CASE("device names: what is not a domain XML is a parse error", "[virt][libvirt]") {
  for (const char* bad : {"", "not xml", "<domain><devices>", "<network><name>n</name></network>",
                          "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>"}) {
    INFO(bad);
    auto n = parse_device_names(bad);
    if (n.has_value()) {
      // An external entity is never fetched (NONET, no NOENT): at most an empty result.
      CHECK(n->disks.empty());
      CHECK(n->interfaces.empty());
    } else {
      CHECK(n.error() == errc::parse_error);
    }
  }
}

TEST_CASE("device stats: a stats record decodes under the VMI's names", "[virt][libvirt]") {
  REQUIRE(virInitialize() == 0); // libvirt's error state; a connection does it in the launcher
  virTypedParameterPtr params = nullptr;
  int n = 0;
  int max = 0;
  auto uint = [&](const char* k, unsigned int v) { REQUIRE(virTypedParamsAddUInt(&params, &n, &max, k, v) == 0); };
  auto ull = [&](const char* k, unsigned long long v) {
    REQUIRE(virTypedParamsAddULLong(&params, &n, &max, k, v) == 0);
  };
  auto str = [&](const char* k, const char* v) { REQUIRE(virTypedParamsAddString(&params, &n, &max, k, v) == 0); };
  uint("net.count", 2);
  str("net.0.name", "tap0");
  ull("net.0.rx.bytes", 1000);
  ull("net.0.rx.pkts", 10);
  ull("net.0.rx.errs", 1);
  ull("net.0.rx.drop", 2);
  ull("net.0.tx.bytes", 2000);
  ull("net.0.tx.pkts", 20);
  ull("net.0.tx.errs", 3);
  ull("net.0.tx.drop", 4);
  str("net.1.name", "vnet7"); // no counters at all: zeros
  uint("block.count", 1);
  str("block.0.name", "vda");
  ull("block.0.rd.bytes", 4096);
  ull("block.0.rd.reqs", 8);
  ull("block.0.wr.bytes", 512);
  ull("block.0.wr.reqs", 1);

  device_names names;
  names.interfaces["tap0"] = "default";
  names.disks["vda"] = "rootdisk";
  domain_stats out;
  decode_device_stats(params, n, names, out);
  virTypedParamsFree(params, n);

  REQUIRE(out.interfaces.size() == 2);
  CHECK(out.interfaces[0] == interface_stats{"default", 1000, 10, 1, 2, 2000, 20, 3, 4});
  CHECK(out.interfaces[1] == interface_stats{.name = "vnet7"});
  REQUIRE(out.blocks.size() == 1);
  CHECK(out.blocks[0] == block_stats{"rootdisk", 4096, 8, 512, 1});
}

TEST_CASE("device stats: a record without devices decodes to none", "[virt][libvirt]") {
  REQUIRE(virInitialize() == 0);
  domain_stats out;
  decode_device_stats(nullptr, 0, {}, out);
  CHECK(out.interfaces.empty());
  CHECK(out.blocks.empty());
}

} // namespace podvisor::virt
