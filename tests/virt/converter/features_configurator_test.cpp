#include "virt/converter/features_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("features: ACPI on unless disabled, the rest when asked", "[virt][converter]") {
  struct row {
    const char* domain;
    domain_features features; // acpi, apic, smm, pvspinlock, kvm_hidden
  };
  const row rows[] = {
    {R"("cpu":{})", {true, false, false, false, false}},
    {R"("features":{})", {true, false, false, false, false}},
    {R"("features":{"acpi":{"enabled":false}})", {false, false, false, false, false}},
    {R"("features":{"apic":{}})", {true, true, false, false, false}},
    {R"("features":{"apic":{"enabled":false}})", {true, false, false, false, false}},
    {R"("features":{"smm":{},"pvspinlock":{"enabled":true}})", {true, false, true, true, false}},
    {R"("features":{"kvm":{"hidden":true}})", {true, false, false, false, true}},
    {R"("firmware":{"bootloader":{"efi":{}}})", {true, false, true, false, false}},
    {R"("firmware":{"bootloader":{"efi":{"secureBoot":false}}})", {true, false, false, false, false}},
  };
  for (const auto& r : rows) {
    INFO(r.domain);
    auto in = input_from(std::string(R"({"domain":{)") + r.domain + R"(,"devices":{}}})");
    conversion_problems problems;
    check_features(in, problems);
    CHECK(problems.empty());
    domain d;
    configure_features(in, d);
    CHECK(d.features == r.features);
  }
}

TEST_CASE("features: Hyper-V and contradictions are reported", "[virt][converter]") {
  struct row {
    const char* domain;
    std::size_t invalid;
    std::size_t unsupported;
  };
  const row rows[] = {
    {R"("features":{"hyperv":{"relaxed":{}}})", 0, 1},
    {R"("features":{"hypervPassthrough":{}})", 0, 1},
    {R"("features":{"apic":{"endOfInterrupt":true}})", 0, 1},
    {R"("features":{"smm":{"enabled":false}},"firmware":{"bootloader":{"efi":{}}})", 1, 0},
  };
  for (const auto& r : rows) {
    INFO(r.domain);
    auto in = input_from(std::string(R"({"domain":{)") + r.domain + R"(,"devices":{}}})");
    conversion_problems problems;
    check_features(in, problems);
    CHECK(problems.invalid.size() == r.invalid);
    CHECK(problems.unsupported.size() == r.unsupported);
  }
}
