#include "virt/converter/cpu_configurator.hpp"

namespace podvisor::virt {
namespace {

/// The model a VMI names, with KubeVirt's default (host-model) for none.
std::string requested_model(const converter_input& in) {
  const auto& cpu = in.vmi.spec.domain.cpu;
  return cpu && !cpu->model.empty() ? cpu->model : "host-model";
}

std::uint32_t at_least_one(std::uint32_t n) {
  return n == 0 ? 1 : n;
}

} // namespace

void check_cpu(const converter_input& in, conversion_problems& problems) {
  const auto& cpu = in.vmi.spec.domain.cpu;
  if (in.type == domain_type::qemu && requested_model(in) == "host-passthrough")
    problems.unsupported.emplace_back(
      "spec.domain.cpu.model: host-passthrough needs KVM; this host runs guests under TCG");
  if (!cpu)
    return;
  if (cpu->max_sockets != 0)
    problems.unsupported.emplace_back("spec.domain.cpu.maxSockets (CPU hotplug)");
  if (cpu->dedicated_cpu_placement)
    problems.unsupported.emplace_back("spec.domain.cpu.dedicatedCpuPlacement");
  if (cpu->isolate_emulator_thread)
    problems.unsupported.emplace_back("spec.domain.cpu.isolateEmulatorThread");
  if (cpu->numa)
    problems.unsupported.emplace_back("spec.domain.cpu.numa");
  if (cpu->realtime)
    problems.unsupported.emplace_back("spec.domain.cpu.realtime");
}

void configure_cpu(const converter_input& in, domain& d) {
  const auto& cpu = in.vmi.spec.domain.cpu;
  d.cpu.topology = cpu ? cpu_topology{at_least_one(cpu->sockets), at_least_one(cpu->cores),
                                      at_least_one(cpu->threads)}
                       : cpu_topology{};
  const std::string model = requested_model(in);
  d.cpu.model.clear();
  if (model == "host-passthrough") {
    d.cpu.mode = cpu_mode::host_passthrough;
  } else if (model == "host-model") {
    if (in.type == domain_type::kvm) {
      d.cpu.mode = cpu_mode::host_model;
    } else {
      // No host CPU to model under TCG; qemu64 runs everywhere and migrates anywhere.
      d.cpu.mode = cpu_mode::custom;
      d.cpu.model = "qemu64";
    }
  } else {
    d.cpu.mode = cpu_mode::custom;
    d.cpu.model = model;
  }
  d.cpu.features.clear();
  if (!cpu)
    return;
  for (const auto& f : cpu->features)
    d.cpu.features.push_back({f.policy.empty() ? "require" : f.policy.raw(), f.name});
}

} // namespace podvisor::virt
