#pragma once
// An in-memory pod_runtime (kube/podlet/pod_runtime.hpp) for the podlet's tests: pods
// and containers are records the test moves through their states (exit, OOM kill), run
// failures are injected, signals are recorded and, by default, end the containers the
// way a well-behaved process would (SIGTERM → exit by signal 15) so the deletion flow
// can be checked both ways (set `ignore_sigterm` for a process that needs the SIGKILL).
// Thread safety: every member may be called from any thread.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kube/podlet/pod_runtime.hpp"

namespace podvisor::fakes {

class fake_pod_runtime final : public kube::podlet::pod_runtime {
public:
  expected<kube::podlet::pod_observation> run_pod(const nlohmann::json& pod) override;
  expected<kube::podlet::pod_observation> observe(const std::string& uid) override;
  error signal_pod(const std::string& uid, int signal) override;
  error remove_pod(const std::string& uid) override;
  std::vector<std::string> list_pods() override;

  // -- test controls ---------------------------------------------------------------------

  /// The next `times` run_pod calls fail with `e`.
  void fail_next_run(podvisor::error e, int times = 1);
  /// Ends a running container with `exit_code` (reason Completed / Error).
  void exit_container(const std::string& uid, const std::string& container, int exit_code);
  /// Ends a running container as the OOM killer does (SIGKILL, reason OOMKilled).
  void oom_kill(const std::string& uid, const std::string& container);
  /// Whether SIGTERM leaves containers running (only SIGKILL ends them then).
  void set_ignore_sigterm(bool ignore);
  /// A pod that "an earlier podlet" started: running containers `containers`.
  void add_running_pod(const std::string& uid, const std::vector<std::string>& containers,
                       const std::string& ip = "10.244.0.99");

  /// Signals sent, as (uid, signal), in order.
  std::vector<std::pair<std::string, int>> signals() const;
  /// uids passed to remove_pod, in order.
  std::vector<std::string> removed() const;
  /// Calls of run_pod (failed ones included).
  std::size_t runs() const;
  bool has_pod(const std::string& uid) const;

private:
  void end(kube::podlet::container_observation& c, std::optional<int> exit_code, std::optional<int> signal,
           std::string reason);

  mutable std::mutex mutex_;
  std::map<std::string, kube::podlet::pod_observation> pods_;
  std::deque<podvisor::error> run_failures_;
  std::vector<std::pair<std::string, int>> signals_;
  std::vector<std::string> removed_;
  std::size_t runs_ = 0;
  std::uint32_t next_ip_ = 10;
  bool ignore_sigterm_ = false;
  std::int64_t fake_time_ns_ = 1'700'000'000'000'000'000;
};

} // namespace podvisor::fakes
