#pragma once
// The embedded cluster's component processes (scheduler, controller, one podlet per
// node): each started from the binary directory with its output in a log file, watched
// for unexpected exits, restarted after one (when restarts are on, as a Deployment or a
// DaemonSet would: a controller that lost its leader lease under load exits and must come
// back), and stopped in a chosen order with SIGTERM and a deadline.
//
// Restart back-off: 1 s after the first exit, doubling for each exit that follows a run
// shorter than a minute, at most 30 s (a crash loop backs off like a kubelet's).
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
  /// Restarts so far; with restarts on, when an exited one starts again.
  int restarts = 0;
  std::chrono::milliseconds restart_in{0};
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
  /// Restart components that exit (default off: callers that kill components on purpose,
  /// tests among them, see them stay down).
  void restart_exited(bool on) { restart_ = on; }
  /// Components that have exited since the last call (each reported once); with
  /// restarts on, each is due for a restart after its back-off (restart_in).
  std::vector<component_state> newly_exited();
  /// Starts again the exited components whose back-off has passed; returns them with
  /// their new pids (a component whose binary vanished is reported with `ended` saying
  /// why, and tried again after the next back-off).
  std::vector<component_state> restart_due();
  /// Every component, for status output.
  std::vector<component_state> states();
  /// Stops one component (SIGTERM, `grace`, SIGKILL); false if unknown.
  bool stop(const std::string& name, std::chrono::milliseconds grace);
  /// Stops all, latest first.
  void stop_all(std::chrono::milliseconds grace);

private:
  using clock = std::chrono::steady_clock;
  struct entry {
    component_spec spec;
    child_process process;
    std::filesystem::path log;
    bool reported = false;
    /// Stopped on purpose: never restarted.
    bool stopped = false;
    int restarts = 0;
    std::chrono::milliseconds backoff{0};
    clock::time_point started{}, restart_at{};
    bool restart_pending = false;
  };
  expected<child_process> spawn(const component_spec& spec, const std::filesystem::path& log);
  std::filesystem::path log_dir_;
  std::vector<entry> entries_;
  bool restart_ = false;
};

} // namespace podvisor::kube::cluster
