#pragma once
// Memory balloon: virtio by default, model none when autoattachMemBalloon is false
// (libvirt would otherwise add one on its own).

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the memballoon aspect of `in` asks for that cannot be converted.
void check_memballoon(const converter_input& in, conversion_problems& problems);

/// Sets the memballoon aspect of `d` from `in`; `in` has passed check_memballoon.
void configure_memballoon(const converter_input& in, domain& d);

} // namespace podvisor::virt
