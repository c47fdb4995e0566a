#pragma once
// The files the shim (podvisor-shim, one per container) and the runtime share: the
// container's launch spec the runtime writes before starting the shim, and the record
// the shim keeps of the container's life (running, then exited), replaced atomically
// (write a temporary file, rename) so a reader never sees half of it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

/// How to start one container; written by the runtime, read by the shim.
struct launch_spec {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string working_dir;
  /// Namespace files to enter; empty: stay in the shim's.
  std::string netns, mntns;
  /// cgroup.procs files to join.
  std::vector<std::string> cgroup_procs;
  /// The cgroup file with the oom_kill counter ("" : no OOM detection).
  std::string oom_file;
  std::string log_path;
  std::string record_path;
};

/// The container's life as the shim saw it.
struct container_record {
  enum class phase : std::uint8_t { running, exited, failed };
  phase current = phase::running;
  int pid = 0;
  int shim_pid = 0;
  std::int64_t started_at_ns = 0;
  std::int64_t finished_at_ns = 0;
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool oom_killed = false;
  /// failed: why the process could not be started.
  std::string message;
};

std::string encode(const launch_spec& s);
expected<launch_spec> decode_launch_spec(const std::string& text);
std::string encode(const container_record& r);
expected<container_record> decode_container_record(const std::string& text);

/// Reads a whole file; not_found when missing.
expected<std::string> read_text(const std::string& path);
/// Writes `content` to `path` atomically (tmp + fsync + rename).
error write_atomically(const std::string& path, const std::string& content);

} // namespace podvisor::kube::podlet
