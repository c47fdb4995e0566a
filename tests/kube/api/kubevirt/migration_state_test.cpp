#include "kube/api/kubevirt/migration_state.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("migration state enum tables match KubeVirt", "[kube][api][kubevirt][migration_state]") {
  check_enum_table<migration_abort_status>({"Succeeded", "Failed", "Aborting"});
  check_enum_table<migration_mode>({"PreCopy", "PostCopy", "Paused"});
  check_enum_table<migration_network_type>({"Pod", "Migration"});
}

TEST_CASE("every migration state field round-trips", "[kube][api][kubevirt][migration_state]") {
  auto in = json::parse(R"({
    "startTimestamp":"2024-05-01T12:00:00Z","endTimestamp":"2024-05-01T12:00:30Z",
    "targetNodeDomainReadyTimestamp":"2024-05-01T12:00:29Z","targetNodeDomainDetected":true,
    "targetNode":"node-b","targetPod":"virt-launcher-x-2","targetNodeAddress":"192.0.2.12",
    "targetDirectMigrationNodePorts":{"38001":49152},"targetAttachmentPodUID":"att-uid",
    "sourceNode":"node-a","sourcePod":"virt-launcher-x-1",
    "completed":true,"failed":true,"abortRequested":true,"abortStatus":"Failed",
    "failureReason":"migration timed out","migrationUid":"mig-uid","mode":"PostCopy",
    "migrationPolicyName":"fast","migrationConfiguration":{"allowPostCopy":true,"completionTimeoutPerGiB":150},
    "targetCPUSet":[2,3],"targetNodeTopology":"{}","sourcePersistentStatePVCName":"src-pvc",
    "targetPersistentStatePVCName":"dst-pvc","sourceState":{"node":"node-a"},"targetState":{"node":"node-b"},
    "migrationNetworkType":"Migration","targetMemoryOverhead":"300Mi","futureField":1})");
  auto s = round_trip<migration_state>(in);
  CHECK(format_timestamp(*s.end_timestamp) == "2024-05-01T12:00:30Z");
  CHECK(s.target_direct_migration_node_ports.at("38001") == 49152);
  CHECK(s.completed);
  CHECK(s.failed);
  CHECK(s.abort_status == migration_abort_status::failed);
  CHECK(s.mode == migration_mode::post_copy);
  CHECK(s.migration_policy_name == "fast");
  CHECK(s.target_cpu_set == std::vector<std::int32_t>{2, 3});
  CHECK(s.migration_network_type_ == migration_network_type::migration);
  CHECK(s.target_memory_overhead == quantity::parse("300Mi"));
}
