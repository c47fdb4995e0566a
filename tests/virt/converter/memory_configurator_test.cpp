#include "virt/converter/memory_configurator.hpp"

#include "tests/virt/converter/test_input.hpp"

using namespace podvisor::virt;
using podvisor::virt::testing::input_from;

TEST_CASE("memory: guest, else request, else limit, in KiB rounded up", "[virt][converter]") {
  struct row {
    const char* domain;
    std::uint64_t kib;
  };
  const row rows[] = {
    {R"("memory":{"guest":"128Mi"})", 131072},
    {R"("resources":{"requests":{"memory":"64Mi"}})", 65536},
    {R"("resources":{"limits":{"memory":"1Gi"}})", 1048576},
    {R"("memory":{"guest":"256Mi"},"resources":{"requests":{"memory":"512Mi"}})", 262144},
    {R"("resources":{"requests":{"memory":"64Mi"},"limits":{"memory":"128Mi"}})", 65536},
    {R"("memory":{"guest":"1M"})", 977}, // 1,000,000 bytes: 976.56 KiB
  };
  for (const auto& r : rows) {
    INFO(r.domain);
    auto in = input_from(std::string(R"({"domain":{)") + r.domain + R"(,"devices":{}}})");
    conversion_problems problems;
    check_memory(in, problems);
    CHECK(problems.empty());
    domain d;
    configure_memory(in, d);
    CHECK(d.memory_kib == r.kib);
  }
}

TEST_CASE("memory: none at all, hugepages and hotplug are reported", "[virt][converter]") {
  struct row {
    const char* domain;
    std::size_t invalid;
    std::size_t unsupported;
  };
  const row rows[] = {
    {R"("cpu":{})", 1, 0},
    {R"("memory":{"guest":"0"})", 1, 0},
    {R"("memory":{"guest":"1Gi","hugepages":{"pageSize":"2Mi"}})", 0, 1},
    {R"("memory":{"guest":"1Gi","maxGuest":"4Gi"})", 0, 1},
  };
  for (const auto& r : rows) {
    INFO(r.domain);
    auto in = input_from(std::string(R"({"domain":{)") + r.domain + R"(,"devices":{}}})");
    conversion_problems problems;
    check_memory(in, problems);
    CHECK(problems.invalid.size() == r.invalid);
    CHECK(problems.unsupported.size() == r.unsupported);
  }
}
