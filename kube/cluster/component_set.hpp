#pragma once
// The embedded cluster's component processes (scheduler, controller, one podlet per
// node): each started from the binary directory with its output in a log file, watched
// for unexpected exits, and stopped in a chosen order with SIGTERM and a deadline.
//
// They are separate processes, not threads of `podvisor up`, for the same reason they
// are on a real cluster: each talks to the API server only, so a test can kill -9 the
// controller or stop a node and watch the others cope.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/process.hpp"

namespace podvisor::kube::cluster {

/// What to start.
struct component_spec {
  /// Unique, e.g. "controller", "podlet-node1"; names the log file.
  std::string name;
  /// argv; argv[0] a path.
  std::vector<std::string> argv;
};

/// One component as `podvisor up` reports it.
struct component_state {
  std::string name;
  pid_t pid = 0;
  bool running = false;
  /// How it ended, when it has.
  std::string ended;
  std::filesystem::path log;
};

/// Started components, stopped in reverse start order unless asked otherwise.
class component_set {
public:
  explicit component_set(std::filesystem::path log_dir) : log_dir_(std::move(log_dir)) {}
  component_set(const component_set&) = delete;
  component_set& operator=(const component_set&) = delete;
  /// Stops whatever still runs.
  ~component_set();

  /// Starts one component (the binary must exist: a missing one is a clear error
  /// naming it and the build target that makes it).
  error start(const component_spec& spec);
  /// Components that have exited since the last call (each reported once).
  std::vector<component_state> newly_exited();
  /// Every component, for status output.
  std::vector<component_state> states();
  /// Stops one component (SIGTERM, `grace`, SIGKILL); false if unknown.
  bool stop(const std::string& name, std::chrono::milliseconds grace);
  /// Stops all, latest first.
  void stop_all(std::chrono::milliseconds grace);

private:
  struct entry {
    component_spec spec;
    child_process process;
    std::filesystem::path log;
    bool reported = false;
  };
  std::filesystem::path log_dir_;
  std::vector<entry> entries_;
};

} // namespace podvisor::kube::cluster
