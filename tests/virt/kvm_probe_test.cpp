#include "virt/kvm_probe.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "common/temp_dir.hpp"

namespace podvisor::virt {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

} // namespace

TEST_CASE("kvm probe: this machine's verdict is consistent", "[virt][kvm]") {
  auto r = probe_kvm();
  INFO(r.reason);
  CHECK_FALSE(r.reason.empty());
  struct stat st{};
  if (stat("/dev/kvm", &st) != 0) {
    CHECK_FALSE(r.usable);
    CHECK(starts_with(r.reason, "no /dev/kvm"));
  }
  if (std::filesystem::exists("/sys/module/kvm_pvm"))
    CHECK_FALSE(r.usable);
  if (r.usable)
    CHECK(starts_with(r.reason, "KVM usable: "));
}

TEST_CASE("kvm probe: no device is not usable", "[virt][kvm]") {
  scoped_temp_dir dir{"pv-kvm-"};
  auto r = probe_kvm({.device = (dir.path() / "kvm").string(), .sys_module_dir = dir.path().string()});
  CHECK_FALSE(r.usable);
  CHECK(r.reason == "no " + (dir.path() / "kvm").string());
}

TEST_CASE("kvm probe: a loaded kvm_pvm module is named as the reason", "[virt][kvm]") {
  scoped_temp_dir dir{"pv-kvm-"};
  std::filesystem::create_directories(dir.path() / "kvm_pvm");
  auto missing = probe_kvm({.device = (dir.path() / "kvm").string(), .sys_module_dir = dir.path().string()});
  CHECK_FALSE(missing.usable);
  CHECK(missing.reason.find("kvm_pvm") != std::string::npos);

  // A device that is there: the test guest runs (here it cannot), and PVM still decides.
  auto device = dir.write("kvm", "");
  auto present = probe_kvm({.device = device.string(), .sys_module_dir = dir.path().string()});
  CHECK_FALSE(present.usable);
  CHECK(starts_with(present.reason, device.string() + " is PVM (kvm_pvm): "));
  CHECK(present.reason.find("test guest: ") != std::string::npos);
}

TEST_CASE("kvm probe: something that is not KVM fails in the test guest", "[virt][kvm]") {
  scoped_temp_dir dir{"pv-kvm-"};
  auto device = dir.write("kvm", "not a device");
  auto r = probe_kvm({.device = device.string(), .sys_module_dir = dir.path().string()});
  CHECK_FALSE(r.usable);
  CHECK(r.reason == "KVM not usable: unexpected KVM API version");
}

} // namespace podvisor::virt
