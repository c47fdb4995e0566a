#include "virt/converter/memory_configurator.hpp"

#include <optional>

namespace podvisor::virt {
namespace {

std::optional<kube::api::quantity> guest_memory(const converter_input& in) {
  const auto& domain = in.vmi.spec.domain;
  if (domain.memory && domain.memory->guest)
    return domain.memory->guest;
  for (const auto* list : {&domain.resources.requests, &domain.resources.limits}) {
    auto it = list->find("memory");
    if (it != list->end())
      return it->second;
  }
  return std::nullopt;
}

} // namespace

void check_memory(const converter_input& in, conversion_problems& problems) {
  auto memory = guest_memory(in);
  if (!memory || memory->sign() <= 0)
    problems.invalid.emplace_back(
      "spec.domain.memory.guest: no guest memory (set memory.guest or resources.requests.memory)");
  const auto& m = in.vmi.spec.domain.memory;
  if (m && m->hugepages)
    problems.unsupported.emplace_back("spec.domain.memory.hugepages");
  if (m && m->max_guest)
    problems.unsupported.emplace_back("spec.domain.memory.maxGuest (memory hotplug)");
}

void configure_memory(const converter_input& in, domain& d) {
  auto memory = guest_memory(in);
  const auto bytes = static_cast<std::uint64_t>(memory ? memory->value() : 0);
  d.memory_kib = (bytes + 1023) / 1024;
}

} // namespace podvisor::virt
