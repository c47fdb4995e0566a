#include "virt/converter/features_configurator.hpp"

#include "virt/converter/secure_boot.hpp"

namespace podvisor::virt {
namespace {

template <class T>
bool enabled(const std::optional<T>& f) {
  return f && f->enabled.value_or(true);
}

} // namespace

void check_features(const converter_input& in, conversion_problems& problems) {
  const auto& f = in.vmi.spec.domain.features;
  if (!f)
    return;
  if (f->hyperv)
    problems.unsupported.emplace_back("spec.domain.features.hyperv (Hyper-V enlightenments)");
  if (enabled(f->hyperv_passthrough))
    problems.unsupported.emplace_back("spec.domain.features.hypervPassthrough");
  if (f->apic && f->apic->end_of_interrupt)
    problems.unsupported.emplace_back("spec.domain.features.apic.endOfInterrupt");
  if (wants_secure_boot(in) && f->smm && f->smm->enabled == false)
    problems.invalid.emplace_back("spec.domain.features.smm: EFI secure boot needs SMM");
}

void configure_features(const converter_input& in, domain& d) {
  d.features = domain_features{};
  const auto& f = in.vmi.spec.domain.features;
  d.features.acpi = !f || f->acpi.enabled.value_or(true);
  d.features.smm = wants_secure_boot(in);
  if (!f)
    return;
  d.features.apic = enabled(f->apic);
  d.features.smm = d.features.smm || enabled(f->smm);
  d.features.pvspinlock = enabled(f->pvspinlock);
  d.features.kvm_hidden = f->kvm && f->kvm->hidden;
}

} // namespace podvisor::virt
