#pragma once
// Writes a domain model as libvirt domain XML. The output is deterministic: the same
// domain always gives the same bytes (element order fixed here, attributes in a fixed
// order, nothing from the environment), so golden files can be compared byte for byte.

#include <string>

#include "virt/domain/domain.hpp"

namespace podvisor::virt {

/// The domain XML for `d`, pretty-printed, ending in a newline.
std::string to_xml(const domain& d);

} // namespace podvisor::virt
