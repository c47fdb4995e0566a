#include "virt/converter/machine_configurator.hpp"

namespace podvisor::virt {

void check_machine(const converter_input& in, conversion_problems& problems) {
  const auto& arch = in.vmi.spec.architecture;
  if (!arch.empty() && arch != "amd64")
    problems.unsupported.emplace_back("spec.architecture: " + arch + " (only amd64 guests)");
}

void configure_machine(const converter_input& in, domain& d) {
  d.os.arch = "x86_64";
  const auto& machine = in.vmi.spec.domain.machine;
  d.os.machine = machine && !machine->type.empty() ? machine->type : "q35";
}

} // namespace podvisor::virt
