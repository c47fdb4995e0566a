// Domain rules (kube/api/validation/domain.cpp): resources, CPU, memory and firmware,
// through validate(virtual_machine_instance).

#include <catch2/catch_test_macros.hpp>

#include "kube/api/validation/vmi.hpp"
#include "tests/kube/api/validation/fixtures.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::testing;

TEST_CASE("resource quantities are not negative", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.resources.limits["cpu"] = q("-1");
  vmi.spec.domain.resources.requests["nvidia.com/gpu"] = q("-2");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.resources.requests[nvidia.com/gpu]: Invalid value: "-2": must be greater than or equal to 0)",
                    R"(spec.domain.resources.limits.cpu: Invalid value: "-1": must be greater than or equal to 0)"});
}

TEST_CASE("memory is between 1M and 16Ti", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.resources.requests["memory"] = q("512k");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.resources.requests.memory: Invalid value: "512k": must be greater than or equal to 1M)"});
  vmi.spec.domain.resources.requests["memory"] = q("1M");
  CHECK(validate(vmi).empty());

  vmi = valid_vmi();
  vmi.spec.domain.resources.limits.erase("memory");
  vmi.spec.domain.memory->guest = q("17Ti");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.memory.guest: Invalid value: "17Ti": must be less than or equal to 16Ti)"});
  vmi.spec.domain.memory->guest = q("16Ti");
  CHECK(validate(vmi).empty());

  vmi = valid_vmi();
  vmi.spec.domain.resources.limits["memory"] = q("-1Gi");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.resources.limits.memory: Invalid value: "-1Gi": must be greater than or equal to 0)"});
}

TEST_CASE("requests do not exceed limits", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.resources.requests["cpu"] = q("2");
  vmi.spec.domain.resources.requests["memory"] = q("4Gi");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.resources.requests.cpu: Invalid value: "2": must be less than or equal to cpu limit of 1)",
                    R"(spec.domain.resources.requests.memory: Invalid value: "4Gi": must be less than or equal to memory limit of 2Gi)"});
  vmi.spec.domain.resources.limits.clear(); // no limit, no bound
  CHECK(validate(vmi).empty());
}

TEST_CASE("guest memory fits the memory limit and maxGuest", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.memory->guest = q("3Gi");
  vmi.spec.domain.memory->max_guest = q("2Gi");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.memory.guest: Invalid value: "3Gi": must be less than or equal to memory limit of 2Gi)",
                    R"(spec.domain.memory.guest: Invalid value: "3Gi": must be less than or equal to maxGuest of 2Gi)"});
}

TEST_CASE("hugepages divide the memory request", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& pages = vmi.spec.domain.memory->hugepages.emplace();
  pages.page_size = "2Mi";
  CHECK(validate(vmi).empty());

  pages.page_size = "3Mi";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.resources.requests.memory: Invalid value: "1Gi": must be a multiple of the hugepage size of 3Mi)"});
  pages.page_size = "2Gi";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.resources.requests.memory: Invalid value: "1Gi": must be greater than or equal to the hugepage size of 2Gi)"});
  pages.page_size = "two megs";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.memory.hugepages.pageSize: Invalid value: "two megs": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$')"});
  pages.page_size.clear();
  CHECK(messages_of(validate(vmi)) == messages{"spec.domain.memory.hugepages.pageSize: Required value"});
}

TEST_CASE("at most 512 vCPUs", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& cpu = *vmi.spec.domain.cpu;
  cpu.sockets = 2;
  cpu.cores = 128;
  cpu.threads = 2;
  CHECK(validate(vmi).empty());
  cpu.threads = 4;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.cpu: Invalid value: 1024: the number of vCPUs (sockets * cores * threads) must be less than or equal to 512"});
  cpu.sockets = 0; // unset counts as one
  CHECK(validate(vmi).empty());
}

TEST_CASE("sockets within maxSockets", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.cpu->sockets = 4;
  vmi.spec.domain.cpu->max_sockets = 2;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.cpu.sockets: Invalid value: 4: must be less than or equal to maxSockets of 2"});
}

TEST_CASE("CPU placement options need dedicated CPUs", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& cpu = *vmi.spec.domain.cpu;
  cpu.isolate_emulator_thread = true;
  cpu.realtime.emplace();
  cpu.numa.emplace();
  cpu.numa->guest_mapping_passthrough.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.cpu.isolateEmulatorThread: Forbidden: may only be set together with dedicatedCpuPlacement",
                    "spec.domain.cpu.realtime: Forbidden: may only be set together with dedicatedCpuPlacement",
                    "spec.domain.cpu.numa.guestMappingPassthrough: Forbidden: may only be set together with dedicatedCpuPlacement",
                    "spec.domain.cpu.numa.guestMappingPassthrough: Forbidden: requires memory.hugepages to be set"});
  cpu.dedicated_cpu_placement = true;
  vmi.spec.domain.memory->hugepages.emplace().page_size = "2Mi";
  CHECK(validate(vmi).empty());
}

TEST_CASE("CPU features are named and use libvirt's policies", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.cpu->features = {{.name = "vmx", .policy = cpu_feature_policy::require, .unknown = {}},
                                   {.name = "", .policy = {}, .unknown = {}}};
  vmi.spec.domain.cpu->features[1].policy.set_raw("maybe");
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.cpu.features[1].name: Required value",
                    R"(spec.domain.cpu.features[1].policy: Unsupported value: "maybe": supported values: "disable", "forbid", "force", "optional", "require")"});
}

TEST_CASE("one bootloader", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.firmware->bootloader->bios.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.firmware.bootloader.efi: Forbidden: may not be set together with bios"});
  vmi.spec.domain.firmware->bootloader->efi.reset();
  CHECK(validate(vmi).empty());
}

TEST_CASE("firmware serial", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.firmware->serial = "serial/1";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.firmware.serial: Invalid value: "serial/1": must consist of alphanumeric characters, '_', '.', '+' or '-')"});
}

TEST_CASE("kernel boot", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& kb = vmi.spec.domain.firmware->kernel_boot.emplace();
  kb.kernel_args = "console=ttyS0";
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.firmware.kernelBoot.kernelArgs: Forbidden: may only be set together with container"});

  kb.container.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.firmware.kernelBoot.container.image: Required value",
                    "spec.domain.firmware.kernelBoot.container: Required value: at least one of kernelPath or initrdPath must be set"});

  kb.container->image = "example/kernel:6.9";
  kb.container->kernel_path = "boot/vmlinuz";
  kb.container->initrd_path = "/boot/../initrd.img";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.firmware.kernelBoot.container.kernelPath: Invalid value: "boot/vmlinuz": must be an absolute path without relative components)",
                    R"(spec.domain.firmware.kernelBoot.container.initrdPath: Invalid value: "/boot/../initrd.img": must be an absolute path without relative components)"});

  kb.container->kernel_path = "/boot/vmlinuz";
  kb.container->initrd_path.clear();
  CHECK(validate(vmi).empty());
}

TEST_CASE("ACPI tables come from secret volumes", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& acpi = vmi.spec.domain.firmware->acpi.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.firmware.acpi: Required value: at least one of slicNameRef or msdmNameRef must be set"});

  acpi.slic_name_ref = "slic";
  acpi.msdm_name_ref = "iso";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.firmware.acpi.slicNameRef: Not found: "slic")",
                    R"(spec.domain.firmware.acpi.msdmNameRef: Invalid value: "iso": must refer to a secret volume)"});

  acpi.msdm_name_ref.clear();
  auto& d = vmi.spec.domain.devices.disks.emplace_back();
  d.name = "slic";
  auto& v = vmi.spec.volumes.emplace_back();
  v.name = "slic";
  v.secret.emplace();
  v.secret->secret_name = "slic-table";
  CHECK(validate(vmi).empty());
}
