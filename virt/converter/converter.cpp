#include "virt/converter/converter.hpp"

#include "virt/converter/clock_configurator.hpp"
#include "virt/converter/controllers_configurator.hpp"
#include "virt/converter/cpu_configurator.hpp"
#include "virt/converter/disks_configurator.hpp"
#include "virt/converter/features_configurator.hpp"
#include "virt/converter/firmware_configurator.hpp"
#include "virt/converter/identity_configurator.hpp"
#include "virt/converter/interfaces_configurator.hpp"
#include "virt/converter/machine_configurator.hpp"
#include "virt/converter/memballoon_configurator.hpp"
#include "virt/converter/memory_configurator.hpp"
#include "virt/converter/rng_configurator.hpp"
#include "virt/converter/serial_configurator.hpp"
#include "virt/converter/unowned_fields.hpp"

namespace podvisor::virt {
namespace {

/// One aspect: its check and its configurator.
struct aspect {
  void (*check)(const converter_input&, conversion_problems&);
  void (*configure)(const converter_input&, domain&);
};

// The order matters in one place only: controllers read the disks' buses.
constexpr aspect aspects[] = {
  {check_identity, configure_identity},
  {check_machine, configure_machine},
  {check_cpu, configure_cpu},
  {check_memory, configure_memory},
  {check_firmware, configure_firmware},
  {check_features, configure_features},
  {check_clock, configure_clock},
  {check_disks, configure_disks},
  {check_controllers, configure_controllers},
  {check_interfaces, configure_interfaces},
  {check_serial, configure_serial},
  {check_rng, configure_rng},
  {check_memballoon, configure_memballoon},
};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty())
      out += "; ";
    out += p;
  }
  return out;
}

} // namespace

conversion_problems check(const converter_input& in) {
  conversion_problems problems;
  for (const auto& a : aspects)
    a.check(in, problems);
  check_unowned_fields(in, problems);
  return problems;
}

expected<domain> convert(const converter_input& in) {
  const std::string context = "convert vmi " + in.vmi.metadata.namespace_ + "/" + in.vmi.metadata.name;
  auto problems = check(in);
  if (!problems.invalid.empty())
    return error{errc::invalid_argument, join(problems.invalid), context};
  if (!problems.unsupported.empty())
    return error{errc::unsupported, "not supported: " + join(problems.unsupported), context};
  domain d;
  for (const auto& a : aspects)
    a.configure(in, d);
  return d;
}

} // namespace podvisor::virt
