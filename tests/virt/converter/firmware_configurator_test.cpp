#include "virt/converter/firmware_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("firmware: BIOS, EFI with and without secure boot", "[virt][converter]") {
  struct row {
    const char* firmware;
    const char* loader; // "" for none
    bool secure;
    const char* nvram_template;
    bool useserial;
  };
  const row rows[] = {
    {"{}", "", false, "", false},
    {R"({"bootloader":{"bios":{}}})", "", false, "", false},
    {R"({"bootloader":{"bios":{"useSerial":true}}})", "", false, "", true},
    {R"({"bootloader":{"efi":{"secureBoot":false}}})", "/usr/share/OVMF/OVMF_CODE_4M.fd", false,
     "/usr/share/OVMF/OVMF_VARS_4M.fd", false},
    {R"({"bootloader":{"efi":{}}})", "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", true,
     "/usr/share/OVMF/OVMF_VARS_4M.ms.fd", false},
  };
  for (const auto& r : rows) {
    INFO(r.firmware);
    auto in = input_from(std::string(R"({"domain":{"firmware":)") + r.firmware + R"(,"devices":{}}})");
    conversion_problems problems;
    check_firmware(in, problems);
    CHECK(problems.empty());
    domain d;
    configure_firmware(in, d);
    CHECK(d.os.bios_useserial == r.useserial);
    if (*r.loader == '\0') {
      CHECK_FALSE(d.os.loader);
      CHECK_FALSE(d.os.nvram);
      continue;
    }
    REQUIRE(d.os.loader);
    CHECK(d.os.loader->path == r.loader);
    CHECK(d.os.loader->secure == r.secure);
    REQUIRE(d.os.nvram);
    CHECK(d.os.nvram->template_path == r.nvram_template);
    CHECK(d.os.nvram->path.empty());
  }
}

TEST_CASE("firmware: direct kernel boot takes the prepared paths and the spec's arguments", "[virt][converter]") {
  auto in = input_from(R"({"domain":{"firmware":{"kernelBoot":{"kernelArgs":"console=ttyS0 quiet",
    "container":{"image":"guest:1","kernelPath":"/boot/vmlinuz","initrdPath":"/boot/initrd"}}},"devices":{}}})");
  conversion_problems problems;
  check_firmware(in, problems);
  REQUIRE(problems.invalid.size() == 1); // no kernel prepared yet
  in.kernel_path = "/var/run/pod/vmlinuz";
  in.initrd_path = "/var/run/pod/initrd";
  problems = {};
  check_firmware(in, problems);
  CHECK(problems.empty());
  domain d;
  configure_firmware(in, d);
  CHECK(d.os.kernel == "/var/run/pod/vmlinuz");
  CHECK(d.os.initrd == "/var/run/pod/initrd");
  CHECK(d.os.cmdline == "console=ttyS0 quiet");
}

TEST_CASE("firmware: what cannot be produced is reported", "[virt][converter]") {
  struct row {
    const char* firmware;
    std::size_t invalid;
    std::size_t unsupported;
  };
  const row rows[] = {
    {R"({"serial":"abc"})", 0, 1},
    {R"({"acpi":{"slicNameRef":"s"}})", 0, 1},
    {R"({"bootloader":{"bios":{},"efi":{}}})", 1, 0},
    {R"({"bootloader":{"efi":{"persistent":true}}})", 1, 0},
  };
  for (const auto& r : rows) {
    INFO(r.firmware);
    auto in = input_from(std::string(R"({"domain":{"firmware":)") + r.firmware + R"(,"devices":{}}})");
    conversion_problems problems;
    check_firmware(in, problems);
    CHECK(problems.invalid.size() == r.invalid);
    CHECK(problems.unsupported.size() == r.unsupported);
  }
}
