#pragma once
// CPU: topology (sockets/cores/threads) and model. Under KVM the guest sees the host's
// CPU (host-passthrough, or host-model / a named model when asked). Under TCG there is no
// host CPU to pass through, so host-model (KubeVirt's default) becomes the portable
// qemu64 and a named model is used as is; host-passthrough under TCG is refused.

#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Reports what the cpu aspect of `in` asks for that cannot be converted.
void check_cpu(const converter_input& in, conversion_problems& problems);

/// Sets the cpu aspect of `d` from `in`; `in` has passed check_cpu.
void configure_cpu(const converter_input& in, domain& d);

} // namespace podvisor::virt
