#pragma once
// QEMU capabilities cache sharing between a node and the private daemons on it.
//
// A fresh libvirtd probes QEMU for ~8 s unless /var/cache/libvirt/qemu/capabilities holds
// a valid entry. Each launcher's daemon starts with an empty private cache, so without help
// every VM start would pay that probe. The node keeps one copy (a directory the agent and
// the launchers share); a launcher seeds its private cache from it before the daemon
// starts and, when the daemon had to probe anyway (the copy was missing or stale: QEMU or
// libvirt upgraded, another CPU signature), publishes the fresh result back for the next
// launcher. Publishing is atomic per file (write to a temporary name, rename), so
// concurrent launchers never read a half-written entry.
//
// libvirt decides validity itself (QEMU binary ctime, libvirt version, host CPUID, kernel);
// its key includes the host CPU signature of the CPU the daemon runs on, so the daemon is
// started pinned to one CPU to keep the key stable (libvirt still lets QEMU use all CPUs).
//
// A burst of launchers on a node whose cache is still empty would all probe at once (a few
// seconds of CPU each). `wait_for_probe_turn` lets one probe at a time: the others wait for
// the turn, find the first one's entry published, seed it late (libvirt reads its cache
// lazily, at the first QEMU lookup) and skip the probe.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <utility>

#include "common/error.hpp"

namespace podvisor::virt {

/// What happened to the private cache across a daemon start.
enum class capabilities_outcome {
  reused,    ///< seeded from the node and libvirt kept it: no probe was paid
  refreshed, ///< seeded, but libvirt re-probed (stale seed); the fresh one was published
  probed,    ///< no seed on the node; libvirt probed and the result was published
  none,      ///< no node cache configured, or libvirt wrote nothing (not probed yet)
};

std::string_view to_string(capabilities_outcome o);

/// A snapshot of a cache directory: file name → (size, content hash).
using cache_snapshot = std::map<std::string, std::string>;

/// Reads the *.xml entries of `dir` (missing dir: empty snapshot).
cache_snapshot snapshot_cache(const std::filesystem::path& dir);

/// Copies the node's entries into the private cache directory (created if missing).
/// Returns how many entries were copied.
expected<int> seed_cache(const std::filesystem::path& node_dir, const std::filesystem::path& private_dir);

/// Compares the private cache now with what was seeded and publishes new or changed
/// entries to the node directory. `seeded` is the snapshot taken right after seeding.
expected<capabilities_outcome> publish_cache(const std::filesystem::path& private_dir,
                                             const std::filesystem::path& node_dir, const cache_snapshot& seeded);

/// The node's permission to probe QEMU: an exclusive flock(2) on `.probe.lock` in the
/// node cache directory, held until destroyed. The kernel drops it when its holder dies,
/// so a crashed launcher never blocks the node.
class probe_turn {
public:
  probe_turn(probe_turn&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  probe_turn& operator=(probe_turn&& other) noexcept;
  probe_turn(const probe_turn&) = delete;
  probe_turn& operator=(const probe_turn&) = delete;
  ~probe_turn();

private:
  friend expected<probe_turn> wait_for_probe_turn(const std::filesystem::path&, std::chrono::milliseconds);
  explicit probe_turn(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Waits until no other holder on the node has the probe turn, then takes it (creating
/// `node_dir` if needed). errc::timeout after `timeout`; errc::io_error when the lock file
/// cannot be opened or locked.
expected<probe_turn> wait_for_probe_turn(const std::filesystem::path& node_dir, std::chrono::milliseconds timeout);

} // namespace podvisor::virt
