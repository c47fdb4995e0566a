#include "virt/domain/enums.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor::virt;

namespace {

template <class E>
void round_trips() {
  for (const auto& entry : podvisor::kube::api::enum_table<E>::entries) {
    INFO(entry.name);
    CHECK_FALSE(entry.name.empty());
    CHECK(to_string(entry.value) == entry.name);
    CHECK(parse_enum<E>(entry.name) == entry.value);
  }
}

} // namespace

TEST_CASE("domain enums: every value round-trips through its libvirt spelling", "[virt][domain]") {
  round_trips<domain_type>();
  round_trips<cpu_mode>();
  round_trips<clock_offset>();
  round_trips<disk_device>();
  round_trips<disk_source_type>();
  round_trips<disk_bus>();
  round_trips<controller_type>();
  round_trips<serial_type>();
  round_trips<lifecycle_action>();
  CHECK(to_string(cpu_mode::host_passthrough) == "host-passthrough");
}
