#include "kube/api/kubevirt/migration.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("migration enum tables match KubeVirt", "[kube][api][kubevirt][migration]") {
  check_enum_table<migration_phase>({"", "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady",
                                     "Running", "Succeeded", "Failed", "WaitingForSync", "Synchronizing"});
  check_enum_table<migration_condition_type>({"migrationAbortRequested", "migrationRejectedByResourceQuota",
                                              "migrationBlockedByUtilityVolumes", "decentralizedMigrationBlocked",
                                              "migrationBlockedByBackup"});
  check_enum_table<migration_priority>({"system-critical", "user-triggered", "system-maintenance"});
}

TEST_CASE("migration kind info", "[kube][api][kubevirt][migration]") {
  constexpr auto k = kind_info<virtual_machine_instance_migration>::value;
  CHECK(k.api_version() == "kubevirt.io/v1");
  CHECK(k.kind == "VirtualMachineInstanceMigration");
  CHECK(k.list_kind == "VirtualMachineInstanceMigrationList");
  CHECK(k.plural == "virtualmachineinstancemigrations");
  CHECK(k.singular == "virtualmachineinstancemigration");
  CHECK(k.short_names[0] == "vmim");
  CHECK(k.short_names[1] == "vmims");
  CHECK(k.namespaced);
  CHECK(k.has_status);
}

TEST_CASE("a running migration round-trips", "[kube][api][kubevirt][migration]") {
  auto m = round_trip<virtual_machine_instance_migration>(load_manifest("vmim.json"));
  CHECK(m.spec.vmi_name == "testvmi");
  CHECK(m.spec.added_node_selector.at("topology.kubernetes.io/zone") == "zone-a");
  CHECK(m.status.phase == migration_phase::running);
  REQUIRE(m.status.phase_transition_timestamps.size() == 3);
  CHECK(m.status.phase_transition_timestamps[1].phase == migration_phase::scheduling);
  CHECK(m.status.conditions.at(0).type == migration_condition_type::abort_requested);
  CHECK(m.status.conditions.at(0).status == condition_status::false_);
  REQUIRE(m.status.migration_state_);
  CHECK(m.status.migration_state_->target_node == "node-b");
  CHECK(m.status.migration_state_->mode == migration_mode::pre_copy);
  CHECK_FALSE(is_final(migration_phase::running));
  CHECK(is_final(migration_phase::succeeded));
}

TEST_CASE("a minimal migration encodes only what is set", "[kube][api][kubevirt][migration]") {
  virtual_machine_instance_migration m;
  m.metadata.name = "migration-job";
  m.spec.vmi_name = "testvmi";
  m.spec.priority = enum_field{migration_priority::user_triggered};
  CHECK(encode(m) == json::parse(R"({"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstanceMigration",
    "metadata":{"name":"migration-job"},"spec":{"vmiName":"testvmi","priority":"user-triggered"}})"));
}
