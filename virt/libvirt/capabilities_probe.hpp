#pragma once
// Making a libvirt daemon probe QEMU now rather than on its first define.
//
// A fresh daemon learns what its QEMU binary can do (a QMP session with the binary, a
// couple of seconds of CPU under TCG) the first time it needs it, normally when the
// first domain is defined. A launcher that awaits the node agent's start has idle time
// before that: asking for the domain capabilities then moves the probe off the path from
// `start` to a running domain, and lets the result be published to the node's cache
// before any VM runs. With a valid cache entry the daemon answers from it at once.

#include <chrono>
#include <string>

#include "common/error.hpp"

namespace podvisor::virt {

/// Opens its own connection to `uri`, asks for the domain capabilities of the host's
/// architecture (which makes the daemon probe its QEMU binary unless its cache holds a
/// valid entry), closes it. Returns how long that took.
expected<std::chrono::milliseconds> probe_qemu_capabilities(const std::string& uri);

} // namespace podvisor::virt
