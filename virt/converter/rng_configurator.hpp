#pragma once
// RNG: a virtio-rng fed from the host's /dev/urandom when spec.domain.devices.rng is set.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the rng aspect of `in` asks for that cannot be converted.
void check_rng(const converter_input& in, conversion_problems& problems);

/// Sets the rng aspect of `d` from `in`; `in` has passed check_rng.
void configure_rng(const converter_input& in, domain& d);

} // namespace podvisor::virt
