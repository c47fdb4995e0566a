#pragma once
// The calling thread's last libvirt error as a Podvisor error. Internal to
// podvisor_virt_libvirt (the files that call libvirt); needs no libvirt include.

#include <string>

#include "common/error.hpp"

namespace podvisor::virt {

/// The thread's last libvirt error, classified (libvirt_codes.hpp), with `what` as
/// context; resets it. errc::internal when libvirt failed without saying why.
error last_libvirt_error(std::string what);

} // namespace podvisor::virt
