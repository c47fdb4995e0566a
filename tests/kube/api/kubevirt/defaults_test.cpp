#include "kube/api/kubevirt/defaults.hpp"
#include "kube/api/kubevirt/firmware_uuid.hpp"

#include <algorithm>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "tests/kube/api/kubevirt/kubevirt_testing.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::kubevirt_testing;

namespace {

virtual_machine_instance vmi_from(const char* spec_json, const char* name = "testvmi") {
  json in = {{"apiVersion", "kubevirt.io/v1"},
             {"kind", "VirtualMachineInstance"},
             {"metadata", {{"name", name}, {"namespace", "default"}}},
             {"spec", json::parse(spec_json)}};
  auto out = decode<virtual_machine_instance>(in);
  INFO(join_messages(out.errors));
  REQUIRE(out.ok());
  return out.value;
}

virtual_machine_instance defaulted(const char* spec_json, const char* name = "testvmi") {
  auto vmi = vmi_from(spec_json, name);
  set_defaults(vmi);
  return vmi;
}

quantity q(const char* text) {
  return *quantity::parse(text);
}

} // namespace

TEST_CASE("defaults: a minimal VMI gets what KubeVirt adds", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"resources":{"requests":{"memory":"128Mi"}},"devices":{}},
    "volumes":[{"name":"containerdisk","containerDisk":{"image":"quay.io/kubevirt/cirros-container-disk-demo"}}]})");
  json expected = json::parse(R"({
    "apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance",
    "metadata":{"name":"testvmi","namespace":"default"},
    "spec":{
      "architecture":"amd64",
      "domain":{
        "resources":{"requests":{"memory":"128Mi"}},
        "cpu":{"cores":1,"sockets":1,"threads":1,"model":"host-model"},
        "memory":{"guest":"128Mi"},
        "machine":{"type":"q35"},
        "firmware":{"uuid":"<set below>"},
        "features":{"acpi":{"enabled":true}},
        "devices":{
          "disks":[{"name":"containerdisk","disk":{"bus":"virtio"}}],
          "interfaces":[{"name":"default","bridge":{}}]
        }
      },
      "networks":[{"name":"default","pod":{}}],
      "volumes":[{"name":"containerdisk","containerDisk":{"image":"quay.io/kubevirt/cirros-container-disk-demo","imagePullPolicy":"Always"}}],
      "terminationGracePeriodSeconds":30
    },
    "status":{
      "currentCPUTopology":{"cores":1,"sockets":1,"threads":1},
      "memory":{"guestAtBoot":"128Mi","guestCurrent":"128Mi","guestRequested":"128Mi"}
    }})");
  expected["spec"]["domain"]["firmware"]["uuid"] = firmware_uuid_for("testvmi");
  INFO(json::diff(expected, encode(vmi)).dump());
  CHECK(encode(vmi) == expected);
}

TEST_CASE("defaults: architecture", "[kube][api][kubevirt][defaults]") {
  CHECK(defaulted(R"({"domain":{"devices":{}}})").spec.architecture == default_architecture());
  CHECK(defaulted(R"({"architecture":"arm64","domain":{"devices":{}}})").spec.architecture == "arm64");
}

TEST_CASE("defaults: machine type q35", "[kube][api][kubevirt][defaults]") {
  CHECK(defaulted(R"({"domain":{"devices":{}}})").spec.domain.machine->type == "q35");
  CHECK(defaulted(R"({"domain":{"machine":{},"devices":{}}})").spec.domain.machine->type == "q35");
  CHECK(defaulted(R"({"domain":{"machine":{"type":"pc-q35-rhel9.4.0"},"devices":{}}})").spec.domain.machine->type
        == "pc-q35-rhel9.4.0");
  CHECK(default_machine_type("amd64") == "q35");
  CHECK(default_machine_type("arm64") == "virt");
  CHECK(default_machine_type("s390x") == "s390-ccw-virtio");
}

TEST_CASE("defaults: requests copied from limits", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"resources":{"limits":{"cpu":"2","memory":"1Gi"}},"devices":{}}})");
  CHECK(vmi.spec.domain.resources.requests.at("cpu") == q("2"));
  CHECK(vmi.spec.domain.resources.requests.at("memory") == q("1Gi"));
  auto kept = defaulted(
    R"({"domain":{"resources":{"requests":{"cpu":"500m","memory":"512Mi"},"limits":{"cpu":"2","memory":"1Gi"}},"devices":{}}})");
  CHECK(kept.spec.domain.resources.requests.at("cpu") == q("500m"));
  CHECK(kept.spec.domain.resources.requests.at("memory") == q("512Mi"));
}

TEST_CASE("defaults: memory request from guest memory or the huge page size", "[kube][api][kubevirt][defaults]") {
  auto from_guest = defaulted(R"({"domain":{"memory":{"guest":"256Mi"},"devices":{}}})");
  CHECK(from_guest.spec.domain.resources.requests.at("memory") == q("256Mi"));
  auto from_pages = defaulted(R"({"domain":{"memory":{"hugepages":{"pageSize":"2Mi"}},"devices":{}}})");
  CHECK(from_pages.spec.domain.resources.requests.at("memory") == q("2Mi"));
  CHECK(from_pages.spec.domain.memory->guest == q("2Mi"));
  auto nothing = defaulted(R"({"domain":{"devices":{}}})");
  CHECK_FALSE(nothing.spec.domain.resources.requests.contains("memory"));
}

TEST_CASE("defaults: guest memory from the memory request or limit", "[kube][api][kubevirt][defaults]") {
  CHECK(defaulted(R"({"domain":{"resources":{"requests":{"memory":"128Mi"}},"devices":{}}})").spec.domain.memory->guest
        == q("128Mi"));
  CHECK(defaulted(R"({"domain":{"resources":{"limits":{"memory":"64Mi"}},"devices":{}}})").spec.domain.memory->guest
        == q("64Mi"));
  auto kept = defaulted(R"({"domain":{"resources":{"requests":{"memory":"1Gi"}},"memory":{"guest":"512Mi"},"devices":{}}})");
  CHECK(kept.spec.domain.memory->guest == q("512Mi"));
  CHECK(kept.spec.domain.resources.requests.at("memory") == q("1Gi"));
  // Nothing known: KubeVirt still leaves an empty memory section.
  auto none = defaulted(R"({"domain":{"devices":{}}})");
  REQUIRE(none.spec.domain.memory);
  CHECK_FALSE(none.spec.domain.memory->guest);
}

TEST_CASE("defaults: CPU topology", "[kube][api][kubevirt][defaults]") {
  auto absent = defaulted(R"({"domain":{"devices":{}}})");
  CHECK(absent.spec.domain.cpu->sockets == 1);
  CHECK(absent.spec.domain.cpu->cores == 1);
  CHECK(absent.spec.domain.cpu->threads == 1);
  // vCPUs from the CPU limit (or request), as sockets, rounded up.
  CHECK(defaulted(R"({"domain":{"resources":{"limits":{"cpu":"3"}},"devices":{}}})").spec.domain.cpu->sockets == 3);
  CHECK(defaulted(R"({"domain":{"resources":{"requests":{"cpu":"1500m"}},"devices":{}}})").spec.domain.cpu->sockets
        == 2);
  // Any part of the topology set: KubeVirt leaves the rest alone.
  auto partial = defaulted(R"({"domain":{"cpu":{"cores":4},"devices":{}}})");
  CHECK(partial.spec.domain.cpu->cores == 4);
  CHECK(partial.spec.domain.cpu->sockets == 0);
  CHECK(partial.spec.domain.cpu->threads == 0);
}

TEST_CASE("defaults: CPU model host-model", "[kube][api][kubevirt][defaults]") {
  CHECK(defaulted(R"({"domain":{"devices":{}}})").spec.domain.cpu->model == "host-model");
  CHECK(defaulted(R"({"domain":{"cpu":{"model":"host-passthrough"},"devices":{}}})").spec.domain.cpu->model
        == "host-passthrough");
}

TEST_CASE("defaults: container disk pull policy", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{}},"volumes":[
    {"name":"a","containerDisk":{"image":"quay.io/x/y:latest"}},
    {"name":"b","containerDisk":{"image":"quay.io/x/y"}},
    {"name":"c","containerDisk":{"image":"quay.io/x/y:v1"}},
    {"name":"d","containerDisk":{"image":"quay.io/x/y@sha256:0123"}},
    {"name":"e","containerDisk":{"image":"quay.io/x/y:latest","imagePullPolicy":"Never"}}]})");
  const auto& v = vmi.spec.volumes;
  CHECK(v[0].container_disk->image_pull_policy == pull_policy::always);
  CHECK(v[1].container_disk->image_pull_policy == pull_policy::always);
  CHECK(v[2].container_disk->image_pull_policy == pull_policy::if_not_present);
  CHECK(v[3].container_disk->image_pull_policy == pull_policy::if_not_present);
  CHECK(v[4].container_disk->image_pull_policy == pull_policy::never);
}

TEST_CASE("defaults: pod network with a bridge interface", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{}}})");
  REQUIRE(vmi.spec.domain.devices.interfaces.size() == 1);
  CHECK(vmi.spec.domain.devices.interfaces[0].name == "default");
  CHECK(binding_of(vmi.spec.domain.devices.interfaces[0]) == binding_method::bridge);
  REQUIRE(vmi.spec.networks.size() == 1);
  CHECK(vmi.spec.networks[0].name == "default");
  REQUIRE(vmi.spec.networks[0].pod);
  CHECK(vmi.spec.networks[0].pod->vm_network_cidr.empty()); // the binding applies 10.0.2.0/24

  auto opted_out = defaulted(R"({"domain":{"devices":{"autoattachPodInterface":false}}})");
  CHECK(opted_out.spec.domain.devices.interfaces.empty());
  CHECK(opted_out.spec.networks.empty());

  auto own = defaulted(R"({"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{}}]}},
    "networks":[{"name":"default","pod":{}}]})");
  REQUIRE(own.spec.domain.devices.interfaces.size() == 1);
  CHECK(binding_of(own.spec.domain.devices.interfaces[0]) == binding_method::masquerade);
  CHECK(own.spec.networks.size() == 1);

  // Networks without interfaces (or the reverse) are left for validation to reject.
  auto half = defaulted(R"({"domain":{"devices":{}},"networks":[{"name":"default","pod":{}}]})");
  CHECK(half.spec.domain.devices.interfaces.empty());
}

TEST_CASE("defaults: a disk for every volume without one", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{"disks":[{"name":"root","disk":{"bus":"virtio"}}],
    "filesystems":[{"name":"shared","virtiofs":{}}]}},
    "volumes":[{"name":"root","emptyDisk":{"capacity":"1Gi"}},{"name":"shared","persistentVolumeClaim":{"claimName":"s"}},
               {"name":"cloudinit","cloudInitNoCloud":{"userData":"#cloud-config"}}]})");
  const auto& disks = vmi.spec.domain.devices.disks;
  REQUIRE(disks.size() == 2);
  CHECK(disks[1].name == "cloudinit");
  CHECK(disks[1].disk_.has_value());
}

TEST_CASE("defaults: a disk that names no device kind is a disk", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{"disks":[{"name":"a"},{"name":"b","cdrom":{}},{"name":"c","lun":{}}]}}})");
  const auto& d = vmi.spec.domain.devices.disks;
  CHECK(d[0].disk_.has_value());
  CHECK_FALSE(d[1].disk_);
  CHECK_FALSE(d[2].disk_);
}

TEST_CASE("defaults: disks are virtio, CD-ROMs SATA, LUNs SCSI on amd64", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{"disks":[{"name":"a","disk":{}},{"name":"b","cdrom":{}},
    {"name":"c","lun":{}},{"name":"d","disk":{"bus":"virtio"}},{"name":"e","cdrom":{"bus":"scsi"}}]}}})");
  const auto& d = vmi.spec.domain.devices.disks;
  CHECK(d[0].disk_->bus == disk_bus::virtio);
  CHECK(d[1].cdrom->bus == disk_bus::sata);
  CHECK(d[2].lun->bus == disk_bus::scsi);
  CHECK(d[3].disk_->bus == disk_bus::virtio);
  CHECK(d[4].cdrom->bus == disk_bus::scsi);
}

TEST_CASE("defaults: CD-ROMs are read-only with the tray closed", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{"disks":[{"name":"a","cdrom":{}},
    {"name":"b","cdrom":{"readonly":false,"tray":"open"}}]}}})");
  const auto& d = vmi.spec.domain.devices.disks;
  CHECK(d[0].cdrom->readonly == true);
  CHECK(d[0].cdrom->tray == tray_state::closed);
  CHECK(d[1].cdrom->readonly == false);
  CHECK(d[1].cdrom->tray == tray_state::open);
}

TEST_CASE("defaults: firmware UUID from the name", "[kube][api][kubevirt][defaults]") {
  CHECK(defaulted(R"({"domain":{"devices":{}}})", "vm-a").spec.domain.firmware->uuid == firmware_uuid_for("vm-a"));
  CHECK(defaulted(R"({"domain":{"firmware":{"uuid":"11111111-2222-3333-4444-555555555555"},"devices":{}}})")
          .spec.domain.firmware->uuid
        == "11111111-2222-3333-4444-555555555555");
  CHECK(defaulted(R"({"domain":{"devices":{}}})", "").spec.domain.firmware->uuid.empty());
}

TEST_CASE("defaults: ACPI on unless switched off", "[kube][api][kubevirt][defaults]") {
  CHECK(defaulted(R"({"domain":{"devices":{}}})").spec.domain.features->acpi.enabled == true);
  CHECK(defaulted(R"({"domain":{"features":{"acpi":{"enabled":false}},"devices":{}}})").spec.domain.features->acpi.enabled
        == false);
}

TEST_CASE("defaults: listed features are on", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"features":{"apic":{},"smm":{},"pvspinlock":{"enabled":false},
    "hyperv":{"relaxed":{},"spinlocks":{},"vendorid":{"vendorid":"x"},"synictimer":{"direct":{}},"tlbflush":{}}},
    "devices":{}}})");
  const auto& f = *vmi.spec.domain.features;
  CHECK(f.apic->enabled == true);
  CHECK(f.smm->enabled == true);
  CHECK(f.pvspinlock->enabled == false);
  CHECK(f.hyperv->relaxed->enabled == true);
  CHECK(f.hyperv->spinlocks->enabled == true);
  CHECK(f.hyperv->spinlocks->spinlocks == 4096u);
  CHECK(f.hyperv->vendorid->enabled == true);
  CHECK(f.hyperv->synictimer->direct->enabled == true);
  CHECK(f.hyperv->tlbflush->enabled == true);
  CHECK_FALSE(f.hyperv->vapic); // not listed: stays unset
}

TEST_CASE("defaults: Hyper-V prerequisites are switched on", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"features":{"hyperv":{"synictimer":{},"evmcs":{}}},"devices":{}}})");
  const auto& hv = *vmi.spec.domain.features->hyperv;
  CHECK(hv.synic->enabled == true);   // synictimer needs synic
  CHECK(hv.vpindex->enabled == true); // synic needs vpindex
  CHECK(hv.vapic->enabled == true);   // evmcs needs vapic
  const auto& features = vmi.spec.domain.cpu->features;
  REQUIRE(features.size() == 1);
  CHECK(features[0].name == "vmx");
  CHECK(features[0].policy == cpu_feature_policy::require);

  auto off = defaulted(R"({"domain":{"features":{"hyperv":{"synic":{},"vpindex":{"enabled":false}}},"devices":{}}})");
  CHECK(off.spec.domain.features->hyperv->vpindex->enabled == false); // left for validation to reject
}

TEST_CASE("defaults: listed timers are present", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"clock":{"utc":{},"timer":{"hpet":{"present":false},"kvm":{},"rtc":{}}},"devices":{}}})");
  const auto& t = *vmi.spec.domain.clock->timer;
  CHECK(t.hpet->enabled == false);
  CHECK(t.kvm->enabled == true);
  CHECK(t.rtc->enabled == true);
  CHECK_FALSE(t.pit);
}

TEST_CASE("defaults: inputs are USB tablets", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{"inputs":[{"name":"a"},{"name":"b","bus":"virtio","type":"keyboard"}]}}})");
  const auto& in = vmi.spec.domain.devices.inputs;
  CHECK(in[0].bus == input_bus::usb);
  CHECK(in[0].type == input_type::tablet);
  CHECK(in[1].bus == input_bus::virtio);
  CHECK(in[1].type == input_type::keyboard);
}

TEST_CASE("defaults: probe timings", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{}},"readinessProbe":{"tcpSocket":{"port":22}},
    "livenessProbe":{"guestAgentPing":{},"timeoutSeconds":5,"periodSeconds":30,"failureThreshold":6}})");
  const auto& r = *vmi.spec.readiness_probe;
  CHECK(r.timeout_seconds == 1);
  CHECK(r.period_seconds == 10);
  CHECK(r.success_threshold == 1);
  CHECK(r.failure_threshold == 3);
  const auto& l = *vmi.spec.liveness_probe;
  CHECK(l.timeout_seconds == 5);
  CHECK(l.period_seconds == 30);
  CHECK(l.failure_threshold == 6);
}

TEST_CASE("defaults: watchdog model and action", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"devices":{"watchdog":{"name":"wd"}}}})");
  CHECK(vmi.spec.domain.devices.watchdog->i6300esb->action == watchdog_action::reset);
  auto kept = defaulted(R"({"domain":{"devices":{"watchdog":{"name":"wd","i6300esb":{"action":"poweroff"}}}}})");
  CHECK(kept.spec.domain.devices.watchdog->i6300esb->action == watchdog_action::poweroff);
}

TEST_CASE("defaults: termination grace period", "[kube][api][kubevirt][defaults]") {
  CHECK(defaulted(R"({"domain":{"devices":{}}})").spec.termination_grace_period_seconds
        == default_termination_grace_period_seconds);
  CHECK(defaulted(R"({"domain":{"devices":{}},"terminationGracePeriodSeconds":0})").spec.termination_grace_period_seconds
        == 0);
  CHECK(defaulted(R"({"domain":{"devices":{}},"terminationGracePeriodSeconds":180})").spec.termination_grace_period_seconds
        == 180);
}

TEST_CASE("defaults: eviction strategy and run strategy are left alone", "[kube][api][kubevirt][defaults]") {
  CHECK_FALSE(defaulted(R"({"domain":{"devices":{}}})").spec.eviction_strategy_);
  virtual_machine vm;
  vm.metadata.name = "testvm";
  vm.spec.template_.emplace();
  set_defaults(vm);
  CHECK_FALSE(vm.spec.run_strategy_);
  CHECK_FALSE(vm.spec.running);
}

TEST_CASE("defaults: status memory and CPU topology follow the spec", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"domain":{"cpu":{"sockets":2,"cores":2,"threads":1},"memory":{"guest":"1Gi"},"devices":{}}})");
  CHECK(vmi.status.current_cpu_topology->sockets == 2);
  CHECK(vmi.status.current_cpu_topology->cores == 2);
  CHECK(vmi.status.memory->guest_at_boot == q("1Gi"));
  // Set already (e.g. after a hotplug): kept.
  vmi.status.memory->guest_current = q("2Gi");
  vmi.status.current_cpu_topology->sockets = 3;
  set_defaults(vmi);
  CHECK(vmi.status.memory->guest_current == q("2Gi"));
  CHECK(vmi.status.current_cpu_topology->sockets == 3);
}

TEST_CASE("defaults: arm64 guests", "[kube][api][kubevirt][defaults]") {
  auto vmi = defaulted(R"({"architecture":"arm64","domain":{"devices":{"disks":[{"name":"a","disk":{}}]}}})");
  CHECK(vmi.spec.domain.machine->type == "virt");
  CHECK(vmi.spec.domain.cpu->model == "host-passthrough");
  CHECK(vmi.spec.domain.devices.disks[0].disk_->bus == disk_bus::virtio);
  CHECK(vmi.spec.domain.firmware->bootloader->efi->secure_boot == false);
  auto bios = defaulted(R"({"architecture":"arm64","domain":{"firmware":{"bootloader":{"bios":{}}},"devices":{}}})");
  CHECK_FALSE(bios.spec.domain.firmware->bootloader->efi);
}

TEST_CASE("defaults: a VM's template is defaulted with the VM's name", "[kube][api][kubevirt][defaults]") {
  auto vm = round_trip<virtual_machine>(load_manifest("vm-runstrategy.json"));
  set_defaults(vm);
  const auto& spec = vm.spec.template_->spec;
  CHECK(spec.domain.machine->type == "q35");
  CHECK(spec.domain.firmware->uuid == firmware_uuid_for("testvm"));
  CHECK(spec.domain.cpu->cores == 1); // the user's topology is kept
  CHECK(spec.domain.memory->guest == q("128Mi"));
  CHECK(vm.spec.run_strategy_ == enum_field{run_strategy::rerun_on_failure});
  CHECK(vm.metadata.finalizers.empty());
  virtual_machine no_template;
  set_defaults(no_template); // nothing to do; validation reports it
  CHECK_FALSE(no_template.spec.template_);
}

TEST_CASE("defaults: a migration is labelled with its VMI", "[kube][api][kubevirt][defaults]") {
  auto m = round_trip<virtual_machine_instance_migration>(load_manifest("vmim.json"));
  set_defaults(m);
  CHECK(m.metadata.labels.at("kubevirt.io/vmi-name") == "testvmi");
  CHECK(m.metadata.finalizers.empty());
  set_create_defaults(m);
  set_create_defaults(m);
  CHECK(m.metadata.finalizers == std::vector<std::string>{"kubevirt.io/migrationJobFinalize"});
}

TEST_CASE("defaults: a created VMI is Pending and holds the finalizer", "[kube][api][kubevirt][defaults]") {
  auto vmi = vmi_from(R"({"domain":{"devices":{}}})");
  auto now = *parse_timestamp("2024-05-01T12:00:00Z");
  set_create_defaults(vmi, now);
  CHECK(vmi.status.phase == vmi_phase::pending);
  REQUIRE(vmi.status.phase_transition_timestamps.size() == 1);
  CHECK(vmi.status.phase_transition_timestamps[0].phase == vmi_phase::pending);
  CHECK(vmi.status.phase_transition_timestamps[0].phase_transition_timestamp == now);
  CHECK(vmi.metadata.finalizers == std::vector<std::string>{"kubevirt.io/foregroundDeleteVirtualMachine"});
  set_create_defaults(vmi, *parse_timestamp("2024-05-01T13:00:00Z"));
  CHECK(vmi.status.phase_transition_timestamps.size() == 1);
  CHECK(vmi.metadata.finalizers.size() == 1);
  CHECK(vmi.spec.domain.machine->type == "q35");
}

TEST_CASE("defaults are idempotent and keep what the user set", "[kube][api][kubevirt][defaults]") {
  for (const char* name : {"vmi-cloudinit-containerdisk.json", "vmi-disks.json", "vmi-masquerade.json", "vmi-status.json"}) {
    INFO(name);
    auto vmi = round_trip<virtual_machine_instance>(load_manifest(name));
    auto before = encode(vmi);
    set_defaults(vmi);
    auto once = encode(vmi);
    set_defaults(vmi);
    CHECK(encode(vmi) == once);
    // Defaulting only adds: every value in the input is still there, unchanged.
    for (const auto& op : json::diff(before, once))
      CHECK(op["op"] == "add");
  }
  for (const char* name : {"vm-runstrategy.json", "vm-running.json"}) {
    INFO(name);
    auto vm = round_trip<virtual_machine>(load_manifest(name));
    auto before = encode(vm);
    set_defaults(vm);
    auto once = encode(vm);
    set_defaults(vm);
    CHECK(encode(vm) == once);
    for (const auto& op : json::diff(before, once))
      CHECK(op["op"] == "add");
  }
}
