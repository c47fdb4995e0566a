#include "kube/api/kubevirt/vm.hpp"

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

TEST_CASE("VM enum tables match KubeVirt", "[kube][api][kubevirt][vm]") {
  check_enum_table<run_strategy>({"Always", "Halted", "Manual", "RerunOnFailure", "Once", "WaitAsReceiver"});
  check_enum_table<vm_printable_status>({"Stopped", "Provisioning", "Starting", "Running", "Paused", "Stopping",
                                         "Terminating", "CrashLoopBackOff", "Migrating", "Unknown",
                                         "ErrorUnschedulable", "ErrImagePull", "ImagePullBackOff", "ErrorPvcNotFound",
                                         "DataVolumeError", "WaitingForVolumeBinding", "WaitingForReceiver"});
  check_enum_table<vm_condition_type>({"Failure", "Ready", "Paused", "RestartRequired", "ManualRecoveryRequired"});
  check_enum_table<state_change_action>({"Start", "Stop"});
  check_enum_table<update_volumes_strategy>({"Migration", "Replacement"});
}

TEST_CASE("VM kind info", "[kube][api][kubevirt][vm]") {
  constexpr auto k = kind_info<virtual_machine>::value;
  CHECK(k.api_version() == "kubevirt.io/v1");
  CHECK(k.kind == "VirtualMachine");
  CHECK(k.list_kind == "VirtualMachineList");
  CHECK(k.plural == "virtualmachines");
  CHECK(k.singular == "virtualmachine");
  CHECK(k.short_names[0] == "vm");
  CHECK(k.short_names[1] == "vms");
  CHECK(k.namespaced);
  CHECK(k.has_status);
  CHECK(virtual_machine{}.kind == "VirtualMachine");
}

TEST_CASE("a VM with a run strategy, a template and a status round-trips", "[kube][api][kubevirt][vm]") {
  auto vm = round_trip<virtual_machine>(load_manifest("vm-runstrategy.json"));
  CHECK(vm.spec.run_strategy_ == enum_field{run_strategy::rerun_on_failure});
  CHECK_FALSE(vm.spec.running);
  CHECK(effective_run_strategy(vm.spec) == run_strategy::rerun_on_failure);
  REQUIRE(vm.spec.template_);
  const auto& tmpl = *vm.spec.template_;
  CHECK(tmpl.metadata.labels.at("kubevirt.io/domain") == "testvm");
  CHECK(tmpl.spec.domain.cpu->cores == 1);
  const auto& kb = tmpl.spec.domain.firmware->kernel_boot;
  REQUIRE(kb);
  CHECK(kb->kernel_args == "console=ttyS0");
  CHECK(kb->container->image == "quay.io/kubevirt/alpine-ext-kernel-boot-demo");
  CHECK(kb->container->initrd_path == "/boot/initramfs-virt");
  CHECK(kb->container->image_pull_policy == pull_policy::if_not_present);
  CHECK(tmpl.spec.eviction_strategy_ == enum_field{eviction_strategy::live_migrate});
  REQUIRE(vm.spec.data_volume_templates.size() == 1);
  CHECK(vm.spec.data_volume_templates[0]["metadata"]["name"] == "testvm-data");

  const auto& st = vm.status;
  CHECK(st.printable_status == vm_printable_status::running);
  CHECK(st.ready);
  CHECK(st.created);
  CHECK(st.run_strategy_ == run_strategy::rerun_on_failure);
  CHECK(st.conditions.at(0).type == vm_condition_type::ready);
  CHECK(st.state_change_requests.at(0).action == state_change_action::stop);
  CHECK(st.state_change_requests.at(0).uid == "0b5c2e9a-61a4-4f5e-9c7e-3f5a2b6d1e00");
  REQUIRE(st.start_failure);
  CHECK(st.start_failure->consecutive_fail_count == 2);
  CHECK(st.start_failure->last_failed_vmi_uid == "9e2d1c3b-0000-4000-8000-000000000001");
  CHECK(format_timestamp(*st.start_failure->retry_after_timestamp) == "2024-05-01T12:01:00Z");
  CHECK(st.observed_generation == 3);
}

TEST_CASE("a VM with the deprecated running field round-trips", "[kube][api][kubevirt][vm]") {
  auto vm = round_trip<virtual_machine>(load_manifest("vm-running.json"));
  CHECK(vm.spec.running == false); // a pointer in Go: false is kept
  CHECK_FALSE(vm.spec.run_strategy_);
  CHECK(effective_run_strategy(vm.spec) == run_strategy::halted);
  CHECK(vm.unknown.members.at("futureTopLevelField") == 42);
  CHECK(vm.spec.template_->spec.domain.memory->guest == quantity::parse("64Mi"));
}

TEST_CASE("effective_run_strategy follows KubeVirt", "[kube][api][kubevirt][vm]") {
  vm_spec spec;
  CHECK(effective_run_strategy(spec) == run_strategy::halted); // neither set
  spec.running = true;
  CHECK(effective_run_strategy(spec) == run_strategy::always);
  spec.run_strategy_ = enum_field{run_strategy::manual};
  CHECK_FALSE(effective_run_strategy(spec)); // both set: invalid
  spec.running.reset();
  CHECK(effective_run_strategy(spec) == run_strategy::manual);
  spec.run_strategy_->set_raw("Sometimes");
  CHECK_FALSE(effective_run_strategy(spec));
}

TEST_CASE("a VM without a template writes template: null, as KubeVirt does", "[kube][api][kubevirt][vm]") {
  virtual_machine vm;
  vm.metadata.name = "empty";
  auto out = encode(vm);
  REQUIRE(out["spec"].contains("template"));
  CHECK(out["spec"]["template"].is_null());
  CHECK(schema<virtual_machine>()["properties"]["spec"]["required"] == json::array({"template"}));
}
