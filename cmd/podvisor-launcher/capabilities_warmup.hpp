#pragma once
// Paying libvirt's QEMU capabilities probe before anything waits for it.
//
// A private daemon reads its capabilities cache at its first QEMU lookup, and probes QEMU
// (seconds of CPU) when the cache holds nothing valid. A launcher awaiting the agent's
// start does that lookup while it would otherwise be idle, and publishes a fresh result
// to the node cache for the node's next launchers. The node agent runs the launcher with
// --warm-capabilities when it starts, so that not even the node's first VM pays it.

#include <chrono>
#include <filesystem>
#include <functional>

#include "common/error.hpp"
#include "common/log.hpp"
#include "virt/daemon/capabilities_cache.hpp"

namespace podvisor::virt {
class libvirt_daemon;
}

namespace podvisor::launcher_cmd {

/// Asks the daemon for QEMU's capabilities (which loads or probes them); ok or why not.
using capabilities_query = std::function<error()>;

/// Makes `daemon` load QEMU's capabilities now, through `query` (the launcher's own
/// connection when it has one: a second connection would cost another handshake on the
/// way to the agent's start), and leaves the node cache `node_cache` (empty: none)
/// holding them. When the daemon started without a seed, it first waits for the node's
/// probe turn (at most `turn_timeout`) and seeds what another launcher published
/// meanwhile, so that launchers started together on a cold node probe once. Returns what
/// became of the node cache (`none` without one); an error when the daemon could not
/// answer the capabilities query.
expected<virt::capabilities_outcome> probe_capabilities_ahead(virt::libvirt_daemon& daemon,
                                                              const capabilities_query& query,
                                                              const std::filesystem::path& node_cache,
                                                              const log::logger& lg,
                                                              std::chrono::milliseconds turn_timeout);

} // namespace podvisor::launcher_cmd
