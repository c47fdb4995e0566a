// validate(virtual_machine_instance_migration) (kube/api/validation/migration.cpp).

#include <catch2/catch_test_macros.hpp>

#include "kube/api/validation/migration.hpp"
#include "tests/kube/api/validation/fixtures.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::testing;

namespace {

virtual_machine_instance_migration valid_migration() {
  virtual_machine_instance_migration m;
  m.metadata.generate_name = "testvmi-migration-";
  m.metadata.namespace_ = "default";
  m.spec.vmi_name = "testvmi";
  return m;
}

} // namespace

TEST_CASE("a valid migration passes", "[kube][api][validation]") {
  CHECK(validate(valid_migration()).empty());
  auto m = valid_migration();
  m.spec.added_node_selector = {{"topology.kubernetes.io/zone", "zone-a"}};
  m.spec.priority = enum_field<migration_priority>{migration_priority::user_triggered};
  m.status.phase.set_raw("Teleporting"); // status is not validated
  CHECK(validate(m).empty());
}

TEST_CASE("a migration names its VMI", "[kube][api][validation]") {
  auto m = valid_migration();
  m.spec.vmi_name.clear();
  CHECK(messages_of(validate(m)) == messages{"spec.vmiName: Required value"});
  m.spec.vmi_name = "Test_VMI";
  CHECK(messages_of(validate(m))
        == messages{R"(spec.vmiName: Invalid value: "Test_VMI": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))"});
}

TEST_CASE("migration node selector and priority", "[kube][api][validation]") {
  auto m = valid_migration();
  m.spec.added_node_selector = {{"/zone", "a"}};
  m.spec.priority.emplace().set_raw("urgent");
  m.metadata.namespace_.clear();
  CHECK(messages_of(validate(m))
        == messages{"metadata.namespace: Required value",
                    R"(spec.addedNodeSelector: Invalid value: "/zone": prefix part must be non-empty)",
                    R"(spec.priority: Unsupported value: "urgent": supported values: "system-critical", "system-maintenance", "user-triggered")"});
}
