#include "kube/api/kubevirt/vmi_status.hpp"

#include <catch2/catch_test_macros.hpp>

#include "kube/api/kubevirt/vmi.hpp"
#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("VMI status enum tables match KubeVirt", "[kube][api][kubevirt][vmi_status]") {
  check_enum_table<vmi_phase>(
    {"", "Pending", "Scheduling", "Scheduled", "Running", "Succeeded", "Failed", "WaitingForSync", "Unknown"});
  check_enum_table<vmi_condition_type>({"Provisioning", "Ready", "Synchronized", "Paused", "AgentConnected",
                                        "AccessCredentialsSynchronized", "AgentVersionNotSupported",
                                        "LiveMigratable", "HotVCPUChange", "HotMemoryChange", "VolumesChange",
                                        "DataVolumesReady", "StorageLiveMigratable",
                                        "DecentralizedLiveMigrationFailure", "MigrationRequired",
                                        "EvictionRequested", "SoftwareEmulation"});
  check_enum_table<migration_method>({"BlockMigration", "LiveMigration"});
  check_enum_table<migration_transport>({"Unix"});
}

TEST_CASE("a running VMI's status round-trips", "[kube][api][kubevirt][vmi_status]") {
  auto vmi = round_trip<virtual_machine_instance>(load_manifest("vmi-status.json"));
  const auto& st = vmi.status;
  CHECK(st.phase == vmi_phase::running);
  CHECK(st.node_name == "node-b");
  CHECK(st.qos_class == enum_field{pod_qos_class::burstable});
  CHECK(st.migration_method_ == migration_method::live_migration);
  CHECK(st.active_pods.size() == 2);

  REQUIRE(st.conditions.size() == 3);
  CHECK(st.conditions[0].type == vmi_condition_type::ready);
  CHECK(st.conditions[0].status == condition_status::true_);
  CHECK(format_timestamp(st.conditions[0].last_probe_time) == "2024-05-01T12:00:20Z");
  CHECK(st.conditions[2].type == vmi_condition_type::agent_connected);
  CHECK(st.conditions[2].status == condition_status::false_);
  CHECK(st.conditions[2].reason == "GuestAgentNotRunning");

  REQUIRE(st.phase_transition_timestamps.size() == 4);
  CHECK(st.phase_transition_timestamps[2].phase == vmi_phase::scheduled);
  CHECK(format_timestamp(st.phase_transition_timestamps[3].phase_transition_timestamp) == "2024-05-01T12:00:04Z");

  REQUIRE(st.interfaces.size() == 1);
  const auto& nic = st.interfaces[0];
  CHECK(nic.ip_address == "10.244.1.17");
  CHECK(nic.ip_addresses.size() == 2);
  CHECK(nic.mac == "02:00:00:1a:2b:3c");
  CHECK(nic.interface_name == "eth0");
  CHECK(nic.info_source == "domain, guest-agent");
  CHECK(nic.queue_count == 1);
  CHECK(nic.unknown.members.contains("futureInterfaceStatusField"));

  REQUIRE(st.migration_state_);
  CHECK(st.migration_state_->completed);
  CHECK(st.migration_state_->source_node == "node-a");
  CHECK(st.migration_state_->mode == migration_mode::pre_copy);
  CHECK(st.migration_state_->migration_configuration->at("completionTimeoutPerGiB") == 150);

  CHECK(st.current_cpu_topology->sockets == 1);
  CHECK(st.memory->guest_current == quantity::parse("128Mi"));
  CHECK(st.runtime_user == 107u);
  CHECK(st.guest_os_info == json::object());
  CHECK(st.unknown.members.contains("futureStatusField"));
  CHECK(is_final(vmi_phase::failed));
  CHECK_FALSE(is_final(vmi_phase::running));
}

TEST_CASE("an unknown condition type or phase survives a round trip", "[kube][api][kubevirt][vmi_status]") {
  auto in = json::parse(R"({"phase":"Hibernating","conditions":[{"type":"FutureCondition","status":"True"}]})");
  auto st = round_trip<vmi_status>(in);
  CHECK_FALSE(st.phase.known());
  CHECK(st.conditions[0].type.raw() == "FutureCondition");
}
