#pragma once
// Interfaces: each spec interface becomes an ethernet interface on the tap the
// network binding prepared (libvirt must not manage it), with the binding's MAC and the
// spec's model (virtio by default). Only tap-based bindings (bridge, masquerade) exist.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the interfaces aspect of `in` asks for that cannot be converted.
void check_interfaces(const converter_input& in, conversion_problems& problems);

/// Sets the interfaces aspect of `d` from `in`; `in` has passed check_interfaces.
void configure_interfaces(const converter_input& in, domain& d);

} // namespace podvisor::virt
