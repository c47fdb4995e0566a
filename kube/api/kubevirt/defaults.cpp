#include "kube/api/kubevirt/defaults.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "kube/api/kubevirt/firmware_uuid.hpp"

namespace podvisor::kube::api {

namespace {

// What differs between guest architectures. KubeVirt keys these on spec.architecture.
struct arch_defaults {
  std::string_view machine_type;
  disk_bus disk_bus_;        // for disks that name none
  disk_bus cdrom_bus;        // for CD-ROMs that name none
  disk_bus lun_bus;          // for LUNs that name none
  std::string_view cpu_model; // when the spec names none
};

arch_defaults defaults_for(std::string_view architecture) {
  if (architecture == "arm64")
    return {"virt", disk_bus::virtio, disk_bus::scsi, disk_bus::scsi, "host-passthrough"};
  if (architecture == "s390x")
    return {"s390-ccw-virtio", disk_bus::virtio, disk_bus::scsi, disk_bus::scsi, "host-model"};
  // amd64 (and anything unknown, which validation rejects): virtio disks (fast, and what
  // Podvisor's guests and every cloud image carry drivers for), SATA CD-ROMs (firmware
  // boots from them), SCSI LUNs (a LUN is a SCSI device).
  return {"q35", disk_bus::virtio, disk_bus::sata, disk_bus::scsi, "host-model"};
}

const quantity* find(const resource_list& list, const std::string& key) {
  auto it = list.find(key);
  return it == list.end() ? nullptr : &it->second;
}

// Go's ResourceList.Cpu()/Memory().IsZero(): absent counts as zero.
bool is_zero(const resource_list& list, const std::string& key) {
  const quantity* q = find(list, key);
  return q == nullptr || q->is_zero();
}

std::optional<quantity> hugepage_size(const std::optional<domain_memory>& memory) {
  if (!memory || !memory->hugepages)
    return std::nullopt;
  return quantity::parse(memory->hugepages->page_size);
}

// --- spec defaults (KubeVirt's SetDefaultVirtualMachineInstanceSpec) -------------------

void set_machine_type(vmi_spec& spec) {
  auto& machine = spec.domain.machine;
  if (!machine)
    machine.emplace();
  if (machine->type.empty())
    machine->type = std::string(default_machine_type(spec.architecture));
}

void set_resource_requests(vmi_spec& spec) {
  auto& res = spec.domain.resources;
  if (!is_zero(res.limits, "cpu") && is_zero(res.requests, "cpu"))
    res.requests["cpu"] = res.limits["cpu"];
  if (!is_zero(res.limits, "memory") && is_zero(res.requests, "memory"))
    res.requests["memory"] = res.limits["memory"];
  if (res.requests.contains("memory"))
    return;
  std::optional<quantity> memory;
  if (spec.domain.memory && spec.domain.memory->guest)
    memory = spec.domain.memory->guest;
  else
    memory = hugepage_size(spec.domain.memory);
  if (memory && memory->value() > 0)
    res.requests["memory"] = *memory;
}

void set_guest_memory(vmi_spec& spec) {
  auto& memory = spec.domain.memory;
  if (memory && memory->guest)
    return;
  if (!memory)
    memory.emplace(); // KubeVirt leaves `memory: {}` behind even when nothing is known
  const auto& res = spec.domain.resources;
  if (!is_zero(res.requests, "memory"))
    memory->guest = *find(res.requests, "memory");
  else if (!is_zero(res.limits, "memory"))
    memory->guest = *find(res.limits, "memory");
  else
    memory->guest = hugepage_size(memory);
}

void set_cpu_topology(vmi_spec& spec) {
  auto& cpu = spec.domain.cpu;
  if (cpu && (cpu->cores != 0 || cpu->sockets != 0 || cpu->threads != 0))
    return;
  if (!cpu)
    cpu.emplace();
  // With no topology, the vCPU count comes from the CPU limit or request, as sockets
  // (which performs best); fractions round up.
  std::uint32_t sockets = 1;
  const auto& res = spec.domain.resources;
  if (const quantity* limit = find(res.limits, "cpu"))
    sockets = static_cast<std::uint32_t>(limit->value());
  else if (const quantity* request = find(res.requests, "cpu"))
    sockets = static_cast<std::uint32_t>(request->value());
  cpu->sockets = sockets;
  cpu->cores = 1;
  cpu->threads = 1;
}

void set_pull_policies(vmi_spec& spec) {
  for (auto& volume : spec.volumes) {
    auto& disk = volume.container_disk;
    if (!disk || !disk->image_pull_policy.empty())
      continue;
    const std::string& image = disk->image;
    bool latest = image.ends_with(":latest") || image.find_first_of(":@") == std::string::npos;
    disk->image_pull_policy = latest ? pull_policy::always : pull_policy::if_not_present;
  }
}

void set_network_interface(vmi_spec& spec) {
  auto& devices = spec.domain.devices;
  if (devices.autoattach_pod_interface == false)
    return;
  if (!spec.networks.empty() || !devices.interfaces.empty())
    return;
  // The cluster's default binding for the pod network is bridge.
  interface iface;
  iface.name = "default";
  iface.bridge.emplace();
  devices.interfaces.push_back(std::move(iface));
  network net;
  net.name = "default";
  net.pod.emplace(); // empty CIDRs: the binding applies 10.0.2.0/24 itself
  spec.networks.push_back(std::move(net));
}

void set_volume_disks(vmi_spec& spec) {
  auto& devices = spec.domain.devices;
  std::set<std::string> used;
  for (const auto& d : devices.disks)
    used.insert(d.name);
  for (const auto& fs : devices.filesystems)
    used.insert(fs.name);
  for (const auto& volume : spec.volumes) {
    if (used.contains(volume.name))
      continue;
    disk d;
    d.name = volume.name;
    devices.disks.push_back(std::move(d));
    used.insert(volume.name);
  }
}

// --- object defaults (the API types' generated SetObjectDefaults) ----------------------

template <class T>
void enable_if_present(std::optional<T>& feature) {
  if (feature && !feature->enabled)
    feature->enabled = true;
}

void set_feature_defaults(domain_features& features) {
  if (!features.acpi.enabled)
    features.acpi.enabled = true;
  enable_if_present(features.apic);
  enable_if_present(features.smm);
  enable_if_present(features.pvspinlock);
  if (!features.hyperv)
    return;
  auto& hv = *features.hyperv;
  enable_if_present(hv.relaxed);
  enable_if_present(hv.vapic);
  enable_if_present(hv.vpindex);
  enable_if_present(hv.runtime);
  enable_if_present(hv.synic);
  enable_if_present(hv.reset);
  enable_if_present(hv.frequencies);
  enable_if_present(hv.reenlightenment);
  enable_if_present(hv.ipi);
  enable_if_present(hv.evmcs);
  enable_if_present(hv.vendorid);
  if (hv.spinlocks) {
    enable_if_present(hv.spinlocks);
    if (*hv.spinlocks->enabled && !hv.spinlocks->spinlocks)
      hv.spinlocks->spinlocks = 4096;
  }
  if (hv.synictimer) {
    enable_if_present(hv.synictimer);
    enable_if_present(hv.synictimer->direct);
  }
  if (hv.tlbflush) {
    enable_if_present(hv.tlbflush);
    enable_if_present(hv.tlbflush->direct);
    enable_if_present(hv.tlbflush->extended);
  }
}

void set_timer_defaults(domain_clock& clock) {
  if (!clock.timer)
    return;
  enable_if_present(clock.timer->hpet);
  enable_if_present(clock.timer->kvm);
  enable_if_present(clock.timer->pit);
  enable_if_present(clock.timer->rtc);
  enable_if_present(clock.timer->hyperv);
}

void set_probe_defaults(std::optional<vm_probe>& probe) {
  if (!probe)
    return;
  if (probe->timeout_seconds < 1)
    probe->timeout_seconds = 1;
  if (probe->period_seconds < 1)
    probe->period_seconds = 10;
  if (probe->success_threshold < 1)
    probe->success_threshold = 1;
  if (probe->failure_threshold < 1)
    probe->failure_threshold = 3;
}

void set_object_defaults(vmi_spec& spec, std::string_view name) {
  auto& domain = spec.domain;
  if (!domain.firmware)
    domain.firmware.emplace();
  if (domain.firmware->uuid.empty() && !name.empty())
    domain.firmware->uuid = firmware_uuid_for(name);
  if (!domain.features)
    domain.features.emplace();
  set_feature_defaults(*domain.features);
  if (domain.clock)
    set_timer_defaults(*domain.clock);
  for (auto& d : domain.devices.disks) {
    if (!d.disk_ && !d.lun && !d.cdrom)
      d.disk_.emplace();
    if (d.cdrom) {
      if (!d.cdrom->readonly)
        d.cdrom->readonly = true;
      if (d.cdrom->tray.empty())
        d.cdrom->tray = tray_state::closed;
    }
    if (d.block_size_)
      enable_if_present(d.block_size_->match_volume);
  }
  for (auto& input : domain.devices.inputs) {
    if (input.bus.empty())
      input.bus = input_bus::usb;
    if (input.type.empty())
      input.type = input_type::tablet;
  }
  set_probe_defaults(spec.liveness_probe);
  set_probe_defaults(spec.readiness_probe);
}

// --- Hyper-V dependencies ---------------------------------------------------------------

bool is_enabled(const std::optional<feature_state>& f) {
  return f && f->enabled.value_or(false);
}

// An enabled feature switches on a prerequisite the user left unset; one the user
// switched off stays off (validation then reports the conflict).
void require(bool enabled, std::optional<feature_state>& prerequisite) {
  if (!enabled)
    return;
  if (!prerequisite)
    prerequisite.emplace();
  if (!prerequisite->enabled)
    prerequisite->enabled = true;
}

void set_hyperv_dependencies(vmi_spec& spec) {
  if (!spec.domain.features || !spec.domain.features->hyperv)
    return;
  auto& hv = *spec.domain.features->hyperv;
  // Leaves first, as KubeVirt orders them, so that a switched-on prerequisite gets its
  // own prerequisites too.
  require(is_enabled(hv.evmcs), hv.vapic);
  require(is_enabled(hv.ipi), hv.vpindex);
  require(hv.tlbflush && hv.tlbflush->enabled.value_or(false), hv.vpindex);
  require(hv.synictimer && hv.synictimer->enabled.value_or(false), hv.synic);
  require(is_enabled(hv.synic), hv.vpindex);
  // Enlightened VMCS needs the vmx CPU feature.
  if (hv.evmcs && hv.evmcs->enabled.value_or(true)) {
    auto& cpu = spec.domain.cpu;
    if (!cpu)
      cpu.emplace();
    auto it = std::find_if(cpu->features.begin(), cpu->features.end(), [](const cpu_feature& f) { return f.name == "vmx"; });
    if (it == cpu->features.end())
      cpu->features.push_back(cpu_feature{.name = "vmx", .policy = cpu_feature_policy::require, .unknown = {}});
    else
      it->policy = cpu_feature_policy::require;
  }
}

// --- architecture defaults ---------------------------------------------------------------

void set_arch_defaults(vmi_spec& spec) {
  const auto arch = defaults_for(spec.architecture);
  auto& domain = spec.domain;
  for (auto& d : domain.devices.disks) {
    if (d.disk_ && d.disk_->bus.empty())
      d.disk_->bus = arch.disk_bus_;
    if (d.cdrom && d.cdrom->bus.empty())
      d.cdrom->bus = arch.cdrom_bus;
    if (d.lun && d.lun->bus.empty())
      d.lun->bus = arch.lun_bus;
  }
  if (!domain.cpu)
    domain.cpu.emplace();
  if (domain.cpu->model.empty())
    domain.cpu->model = std::string(arch.cpu_model);
  if (spec.architecture == "arm64" && !domain.firmware->bootloader) {
    // Arm64 guests boot with UEFI; secure boot is off because Arm has no SMM.
    domain.firmware->bootloader.emplace();
    domain.firmware->bootloader->efi.emplace();
    domain.firmware->bootloader->efi->secure_boot = false;
  }
  if (auto& watchdog = domain.devices.watchdog) {
    auto& model = spec.architecture == "s390x" ? watchdog->diag288 : watchdog->i6300esb;
    if (!model)
      model.emplace();
    if (model->action.empty())
      model->action = watchdog_action::reset;
  }
}

} // namespace

std::string_view default_architecture() {
#if defined(__aarch64__)
  return "arm64";
#elif defined(__s390x__)
  return "s390x";
#else
  return "amd64";
#endif
}

std::string_view default_machine_type(std::string_view architecture) {
  return defaults_for(architecture).machine_type;
}

void set_defaults(vmi_spec& spec, std::string_view name) {
  if (spec.architecture.empty())
    spec.architecture = std::string(default_architecture());
  set_machine_type(spec);
  set_resource_requests(spec);
  set_guest_memory(spec);
  set_cpu_topology(spec);
  set_pull_policies(spec);
  // evictionStrategy: KubeVirt copies the cluster-wide setting, which is unset by default.
  set_network_interface(spec);
  set_volume_disks(spec);
  if (spec.architecture == "s390x" && (!spec.domain.features || !spec.domain.features->acpi.enabled)) {
    // s390x has no ACPI.
    if (!spec.domain.features)
      spec.domain.features.emplace();
    spec.domain.features->acpi.enabled = false;
  }
  set_object_defaults(spec, name);
  set_hyperv_dependencies(spec);
  set_arch_defaults(spec);
  // KubeVirt applies its 30 s default where the grace period is used; Podvisor writes it
  // down so that every component reads the same number from the object.
  if (!spec.termination_grace_period_seconds)
    spec.termination_grace_period_seconds = default_termination_grace_period_seconds;
}

void set_defaults(virtual_machine_instance& vmi) {
  set_defaults(vmi.spec, vmi.metadata.name);
  const auto& domain = vmi.spec.domain;
  if (domain.memory && domain.memory->guest && !vmi.status.memory) {
    auto& memory = vmi.status.memory.emplace();
    memory.guest_at_boot = domain.memory->guest;
    memory.guest_current = domain.memory->guest;
    memory.guest_requested = domain.memory->guest;
  }
  if (domain.cpu && !vmi.status.current_cpu_topology) {
    auto& topology = vmi.status.current_cpu_topology.emplace();
    topology.cores = domain.cpu->cores;
    topology.sockets = domain.cpu->sockets;
    topology.threads = domain.cpu->threads;
  }
}

void set_defaults(virtual_machine& vm) {
  if (!vm.spec.template_)
    return; // validation reports the missing template
  set_defaults(vm.spec.template_->spec, vm.metadata.name);
}

void set_defaults(virtual_machine_instance_migration& migration) {
  // KubeVirt always (re)writes this label: migrations are looked up by it.
  migration.metadata.labels[std::string(migration_vmi_name_label)] = migration.spec.vmi_name;
}

namespace {

void add_finalizer(object_meta& meta, std::string_view finalizer) {
  if (std::find(meta.finalizers.begin(), meta.finalizers.end(), finalizer) == meta.finalizers.end())
    meta.finalizers.emplace_back(finalizer);
}

} // namespace

void set_create_defaults(virtual_machine_instance& vmi, timestamp now) {
  set_defaults(vmi);
  add_finalizer(vmi.metadata, vmi_finalizer);
  if (vmi.status.phase.empty()) {
    vmi.status.phase = vmi_phase::pending;
    vmi.status.phase_transition_timestamps.push_back({.phase = vmi_phase::pending, .phase_transition_timestamp = now, .unknown = {}});
  }
}

void set_create_defaults(virtual_machine_instance_migration& migration) {
  set_defaults(migration);
  add_finalizer(migration.metadata, migration_finalizer);
}

} // namespace podvisor::kube::api
