#pragma once
// TAP devices for the guest, made with the tun driver's ioctls (libnl cannot create
// them): persistent, so they outlive the creating process and QEMU opens them later by
// name, and owned by the unprivileged user that QEMU runs as.

#include <optional>
#include <string>

#include <sys/types.h>

#include "common/error.hpp"

namespace podvisor::net::binding {

/// Creates the persistent tap `name` (IFF_TAP | IFF_NO_PI) in the calling thread's
/// network namespace, owned by `owner` when given; success if it already exists as a
/// tap (its owner is set again). invalid_argument for a name longer than 15 bytes,
/// conflict if the name belongs to a device that is not a tap.
error ensure_tap(const std::string& name, std::optional<uid_t> owner);

} // namespace podvisor::net::binding
