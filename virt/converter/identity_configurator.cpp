#include "virt/converter/identity_configurator.hpp"

namespace podvisor::virt {

void check_identity(const converter_input& in, conversion_problems& problems) {
  if (in.vmi.metadata.name.empty())
    problems.invalid.emplace_back("metadata.name: the VMI has no name");
}

void configure_identity(const converter_input& in, domain& d) {
  const auto& meta = in.vmi.metadata;
  d.type = in.type;
  d.name = meta.namespace_.empty() ? meta.name : meta.namespace_ + "_" + meta.name;
  const auto& fw = in.vmi.spec.domain.firmware;
  d.uuid = fw ? fw->uuid : std::string{};
  d.on_poweroff = lifecycle_action::destroy;
  d.on_crash = lifecycle_action::destroy;
  const auto& policy = in.vmi.spec.domain.reboot_policy_;
  d.on_reboot = policy && *policy == kube::api::reboot_policy::terminate ? lifecycle_action::destroy
                                                                          : lifecycle_action::restart;
}

} // namespace podvisor::virt
