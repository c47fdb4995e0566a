#include "virt/converter/cpu_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("cpu: mode and model by virtualization type", "[virt][converter]") {
  struct row {
    const char* model; // spec.domain.cpu.model, "" for none
    domain_type type;
    cpu_mode mode;
    const char* libvirt_model;
  };
  const row rows[] = {
    {"", domain_type::kvm, cpu_mode::host_model, ""},
    {"host-model", domain_type::kvm, cpu_mode::host_model, ""},
    {"host-passthrough", domain_type::kvm, cpu_mode::host_passthrough, ""},
    {"Skylake-Server", domain_type::kvm, cpu_mode::custom, "Skylake-Server"},
    {"", domain_type::qemu, cpu_mode::custom, "qemu64"},
    {"host-model", domain_type::qemu, cpu_mode::custom, "qemu64"},
    {"Nehalem", domain_type::qemu, cpu_mode::custom, "Nehalem"},
  };
  for (const auto& r : rows) {
    INFO(r.model << " under " << to_string(r.type));
    auto in = input_from(std::string(R"({"domain":{"cpu":{"model":")") + r.model + R"("},"devices":{}}})", r.type);
    conversion_problems problems;
    check_cpu(in, problems);
    CHECK(problems.empty());
    domain d;
    configure_cpu(in, d);
    CHECK(d.cpu.mode == r.mode);
    CHECK(d.cpu.model == r.libvirt_model);
  }
}

TEST_CASE("cpu: topology from the spec, 1 for what is unset", "[virt][converter]") {
  struct row {
    const char* cpu;
    cpu_topology topology;
    std::uint32_t vcpus;
  };
  const row rows[] = {
    {"{}", {1, 1, 1}, 1},
    {R"({"cores":2})", {1, 2, 1}, 2},
    {R"({"sockets":2,"cores":2,"threads":2})", {2, 2, 2}, 8},
    {R"({"sockets":4})", {4, 1, 1}, 4},
  };
  for (const auto& r : rows) {
    INFO(r.cpu);
    auto in = input_from(std::string(R"({"domain":{"cpu":)") + r.cpu + R"(,"devices":{}}})");
    domain d;
    configure_cpu(in, d);
    CHECK(d.cpu.topology == r.topology);
    CHECK(d.vcpus() == r.vcpus);
  }
}

TEST_CASE("cpu: features carry over with require as the default policy", "[virt][converter]") {
  auto in = input_from(R"({"domain":{"cpu":{"features":[{"name":"vmx"},{"name":"pcid","policy":"disable"}]},"devices":{}}})");
  domain d;
  configure_cpu(in, d);
  REQUIRE(d.cpu.features.size() == 2);
  CHECK(d.cpu.features[0] == cpu_feature{"require", "vmx"});
  CHECK(d.cpu.features[1] == cpu_feature{"disable", "pcid"});
}

TEST_CASE("cpu: what cannot be produced is reported", "[virt][converter]") {
  struct row {
    const char* spec;
    domain_type type;
    const char* field;
  };
  const row rows[] = {
    {R"({"model":"host-passthrough"})", domain_type::qemu, "spec.domain.cpu.model"},
    {R"({"dedicatedCpuPlacement":true})", domain_type::kvm, "spec.domain.cpu.dedicatedCpuPlacement"},
    {R"({"maxSockets":4})", domain_type::kvm, "spec.domain.cpu.maxSockets"},
    {R"({"numa":{"guestMappingPassthrough":{}}})", domain_type::kvm, "spec.domain.cpu.numa"},
    {R"({"realtime":{}})", domain_type::kvm, "spec.domain.cpu.realtime"},
    {R"({"isolateEmulatorThread":true})", domain_type::kvm, "spec.domain.cpu.isolateEmulatorThread"},
  };
  for (const auto& r : rows) {
    INFO(r.spec);
    auto in = input_from(std::string(R"({"domain":{"cpu":)") + r.spec + R"(,"devices":{}}})", r.type);
    conversion_problems problems;
    check_cpu(in, problems);
    REQUIRE(problems.unsupported.size() == 1);
    CHECK(problems.unsupported[0].starts_with(r.field));
  }
}
