#include "kube/api/kubevirt/devices.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("device enum tables match KubeVirt", "[kube][api][kubevirt][devices]") {
  check_enum_table<watchdog_action>({"poweroff", "reset", "shutdown"});
  check_enum_table<input_bus>({"usb", "virtio"});
  check_enum_table<input_type>({"tablet", "keyboard"});
}

TEST_CASE("devices keep the autoattach switches, including false", "[kube][api][kubevirt][devices]") {
  auto in = json::parse(R"({"autoattachPodInterface":false,"autoattachSerialConsole":true,
    "autoattachGraphicsDevice":false,"autoattachMemBalloon":false,"autoattachInputDevice":true,
    "autoattachVSOCK":false,"logSerialConsole":true,"rng":{},"blockMultiQueue":true,
    "networkInterfaceMultiqueue":true,"useVirtioTransitional":false,"disableHotplug":true,
    "watchdog":{"name":"wd","i6300esb":{"action":"poweroff"}},
    "inputs":[{"type":"tablet","bus":"virtio","name":"tablet0"}],
    "filesystems":[{"name":"shared","virtiofs":{}}],"tpm":{"persistent":true},
    "gpus":[{"name":"gpu1","deviceName":"nvidia.com/GP102GL"}],"sound":{"name":"audio"},
    "downwardMetrics":{},"video":{"type":"virtio"}})");
  auto d = round_trip<domain_devices>(in);
  CHECK(d.autoattach_pod_interface == false);
  CHECK(d.autoattach_serial_console == true);
  CHECK(d.autoattach_graphics_device == false);
  CHECK(d.autoattach_mem_balloon == false);
  CHECK(d.rng.has_value());
  CHECK(d.watchdog->i6300esb->action == watchdog_action::poweroff);
  CHECK(d.inputs.at(0).bus == input_bus::virtio);
  CHECK(d.filesystems.at(0).virtiofs.has_value());
  CHECK(d.tpm->persistent == true);
  CHECK(d.gpus.at(0).at("deviceName") == "nvidia.com/GP102GL");
}

TEST_CASE("empty devices encode to an empty object", "[kube][api][kubevirt][devices]") {
  CHECK(encode(domain_devices{}) == json::object());
}
