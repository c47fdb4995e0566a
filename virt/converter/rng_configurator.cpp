#include "virt/converter/rng_configurator.hpp"

namespace podvisor::virt {

void check_rng(const converter_input&, conversion_problems&) {}

void configure_rng(const converter_input& in, domain& d) {
  d.devices.rng_.reset();
  if (in.vmi.spec.domain.devices.rng)
    d.devices.rng_ = rng{};
}

} // namespace podvisor::virt
