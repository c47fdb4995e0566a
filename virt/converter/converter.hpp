#pragma once
// The VMI -> libvirt domain converter: checks that every aspect of the VMI can be
// produced on this host, then runs the configurators in order. A VMI asking for something
// the converter cannot produce fails with every such field named; nothing is dropped.

#include "common/error.hpp"
#include "virt/converter/converter_input.hpp"
#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// Everything that stops `in` from converting, from every aspect (empty when it converts).
conversion_problems check(const converter_input& in);

/// The domain for `in`. Errors: invalid_argument when the spec and the host facts do not
/// fit together (a disk with no prepared volume, no guest memory); unsupported when the
/// spec asks for something not produced yet. The message lists every problem ("; ").
expected<domain> convert(const converter_input& in);

} // namespace podvisor::virt
