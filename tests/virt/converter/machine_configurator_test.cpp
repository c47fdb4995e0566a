#include "virt/converter/machine_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("machine: q35 by default, the spec's type when given", "[virt][converter]") {
  struct row {
    const char* spec;
    const char* machine;
  };
  const row rows[] = {
    {R"({"domain":{"devices":{}}})", "q35"},
    {R"({"domain":{"machine":{},"devices":{}}})", "q35"},
    {R"({"domain":{"machine":{"type":"pc-q35-9.2"},"devices":{}}})", "pc-q35-9.2"},
  };
  for (const auto& r : rows) {
    INFO(r.spec);
    auto in = input_from(r.spec);
    conversion_problems problems;
    check_machine(in, problems);
    CHECK(problems.empty());
    domain d;
    configure_machine(in, d);
    CHECK(d.os.machine == r.machine);
    CHECK(d.os.arch == "x86_64");
  }
}

TEST_CASE("machine: other architectures are refused", "[virt][converter]") {
  auto in = input_from(R"({"architecture":"arm64","domain":{"devices":{}}})");
  conversion_problems problems;
  check_machine(in, problems);
  REQUIRE(problems.unsupported.size() == 1);
  CHECK(problems.unsupported[0].starts_with("spec.architecture"));
}
