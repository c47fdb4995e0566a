// virt/libvirt/device_stats: a stats record's per-device counters; connection.hpp's
// name_devices gives them the VMI's names.
#include "virt/libvirt/device_stats.hpp"

#include <catch2/catch_test_macros.hpp>

namespace podvisor::virt {

TEST_CASE("device stats: a stats record decodes under libvirt's device names", "[virt][libvirt]") {
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

  domain_stats out;
  decode_device_stats(params, n, out);
  virTypedParamsFree(params, n);

  REQUIRE(out.interfaces.size() == 2);
  CHECK(out.interfaces[0] == interface_stats{"tap0", 1000, 10, 1, 2, 2000, 20, 3, 4});
  CHECK(out.interfaces[1] == interface_stats{.name = "vnet7"});
  REQUIRE(out.blocks.size() == 1);
  CHECK(out.blocks[0] == block_stats{"vda", 4096, 8, 512, 1});

  // The VMI's names come from whoever defined the domain.
  name_devices(out, {{{"tap0", "default"}}, {{"vda", "rootdisk"}}});
  CHECK(out.interfaces[0].name == "default");
  CHECK(out.interfaces[1].name == "vnet7");
  CHECK(out.blocks[0].name == "rootdisk");
}

TEST_CASE("device stats: a record without devices decodes to none", "[virt][libvirt]") {
  REQUIRE(virInitialize() == 0);
  domain_stats out;
  decode_device_stats(nullptr, 0, out);
  CHECK(out.interfaces.empty());
  CHECK(out.blocks.empty());
}

} // namespace podvisor::virt
