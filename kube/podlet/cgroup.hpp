#pragma once
// Pod cgroups under the runtime's own cgroup, for cgroup v1 (a hierarchy per controller:
// memory and cpu) and v2 (one unified tree), detected at run time. Paths come from
// /proc/self/cgroup, so the runtime only ever writes below where it was started
// (<own>/podvisor-<node>/pod-<uid>).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

enum class cgroup_version : std::uint8_t { v1, v2 };

/// Limits of one pod cgroup; nothing = unlimited.
struct cgroup_limits {
  std::optional<std::int64_t> memory_bytes;
  std::optional<std::int64_t> cpu_millis;
};

/// The controller files and values that set `limits` ("memory.max" → "max").
/// v1 file names are relative to the controller's hierarchy ("memory/…", "cpu/…").
std::vector<std::pair<std::string, std::string>> render_cgroup_limits(cgroup_version v, const cgroup_limits& limits);

/// The cgroup path (inside a hierarchy) of `controller` ("memory", "cpu"; "" for v2) in
/// the text of /proc/self/cgroup; not_found if it is not listed.
expected<std::string> own_cgroup(const std::string& proc_self_cgroup, const std::string& controller);

/// The oom_kill count in memory.oom_control (v1) or memory.events (v2) text; 0 if absent.
std::uint64_t parse_oom_kills(const std::string& text);

/// One pod's cgroup: its directories (one per v1 controller, one for v2).
struct pod_cgroup {
  cgroup_version version = cgroup_version::v1;
  /// v1: {memory dir, cpu dir}; v2: {dir}.
  std::vector<std::string> dirs;

  /// The file whose oom_kill counter tells OOM kills.
  std::string oom_file() const;
  /// The cgroup.procs files a process writes its pid to, to join.
  std::vector<std::string> procs_files() const;
};

/// Where this host keeps pod cgroups for `node`/`uid`, detected from /sys/fs/cgroup and
/// /proc/self/cgroup; nothing is created.
expected<pod_cgroup> locate_pod_cgroup(const std::string& node, const std::string& uid);

/// Creates the directories and writes `limits`.
error create_pod_cgroup(const pod_cgroup& cg, const cgroup_limits& limits);

/// Pids in the cgroup (empty when it does not exist).
std::vector<int> cgroup_pids(const pod_cgroup& cg);

/// Removes the directories (they must hold no process); success when already gone.
error remove_pod_cgroup(const pod_cgroup& cg);

} // namespace podvisor::kube::podlet
