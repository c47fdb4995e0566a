#include "kube/api/kubevirt/domain.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("domain enum tables match KubeVirt", "[kube][api][kubevirt][domain]") {
  check_enum_table<cpu_feature_policy>({"force", "require", "optional", "disable", "forbid"});
  check_enum_table<io_threads_policy>({"shared", "auto", "supplementalPool"});
  check_enum_table<reboot_policy>({"Reboot", "Terminate"});
}

TEST_CASE("a domain with CPU, memory, firmware and kernel boot round-trips", "[kube][api][kubevirt][domain]") {
  auto in = json::parse(R"({
    "resources":{"requests":{"cpu":"1","memory":"512Mi"},"limits":{"memory":"1Gi"},"overcommitGuestOverhead":true},
    "cpu":{"cores":2,"sockets":2,"threads":1,"maxSockets":4,"model":"Skylake-Server",
           "features":[{"name":"vmx","policy":"require"},{"name":"pcid"}],
           "dedicatedCpuPlacement":true,"isolateEmulatorThread":true,
           "numa":{"guestMappingPassthrough":{}},"realtime":{"mask":"0-3,^1"}},
    "memory":{"guest":"512Mi","maxGuest":"2Gi","hugepages":{"pageSize":"2Mi"}},
    "machine":{"type":"pc-q35-rhel9.4.0"},
    "firmware":{"uuid":"5a9fc181-957e-5c32-9e5a-2de5e9673531","serial":"s-1",
                "bootloader":{"bios":{"useSerial":true}},
                "kernelBoot":{"kernelArgs":"console=ttyS0","container":{"image":"k:1","kernelPath":"/vmlinuz"}},
                "acpi":{"slicNameRef":"slic"}},
    "clock":{"utc":{}},
    "features":{"acpi":{"enabled":true}},
    "devices":{},
    "ioThreadsPolicy":"supplementalPool","ioThreads":{"supplementalPoolThreadCount":4},
    "rebootPolicy":"Terminate","chassis":{"asset":"A1"}})");
  auto d = round_trip<domain_spec>(in);
  CHECK(d.resources.requests.at("memory") == *quantity::parse("512Mi"));
  CHECK(d.resources.overcommit_guest_overhead);
  REQUIRE(d.cpu);
  CHECK(d.cpu->cores == 2);
  CHECK(d.cpu->max_sockets == 4);
  CHECK(d.cpu->features.at(0).policy == cpu_feature_policy::require);
  CHECK(d.cpu->features.at(1).policy.empty());
  CHECK(d.cpu->numa->guest_mapping_passthrough.has_value());
  CHECK(d.memory->guest == quantity::parse("512Mi"));
  CHECK(d.memory->hugepages->page_size == "2Mi");
  CHECK(d.machine->type == "pc-q35-rhel9.4.0");
  CHECK(d.firmware->bootloader->bios->use_serial == true);
  CHECK(d.firmware->kernel_boot->container->kernel_path == "/vmlinuz");
  CHECK(d.clock->utc.has_value());
  CHECK(d.io_threads_policy_ == enum_field{io_threads_policy::supplemental_pool});
  CHECK(d.reboot_policy_ == enum_field{reboot_policy::terminate});
}

TEST_CASE("devices are always written, even when empty", "[kube][api][kubevirt][domain]") {
  CHECK(encode(domain_spec{}) == json::parse(R"({"devices":{}})"));
  auto s = schema<domain_spec>();
  CHECK(s["required"] == json::array({"devices"}));
  CHECK(s["properties"]["devices"]["properties"]["disks"]["items"]["properties"]["cache"]["enum"]
        == json::array({"none", "writethrough", "writeback", "directsync"}));
  CHECK(s["properties"]["memory"]["properties"]["guest"]["x-kubernetes-int-or-string"] == true);
}

TEST_CASE("quantities are accepted as numbers and written canonically", "[kube][api][kubevirt][domain]") {
  auto out = decode<domain_resources>(json::parse(R"({"requests":{"cpu":2,"memory":"1024Mi"}})"));
  REQUIRE(out.ok());
  CHECK(encode(out.value) == json::parse(R"({"requests":{"cpu":"2","memory":"1Gi"}})"));
}
