#include "tests/fakes/fake_pod_runtime.hpp"

#include <csignal>

namespace podvisor::fakes {

using kube::podlet::container_observation;
using kube::podlet::pod_observation;
using state = container_observation::state;

expected<pod_observation> fake_pod_runtime::run_pod(const nlohmann::json& pod) {
  std::lock_guard lock{mutex_};
  ++runs_;
  if (!run_failures_.empty()) {
    auto e = run_failures_.front();
    run_failures_.pop_front();
    return e;
  }
  const auto& meta = pod.at("metadata");
  auto uid = meta.value("uid", "");
  if (uid.empty())
    return error{errc::invalid_argument, "pod without metadata.uid"};
  if (auto it = pods_.find(uid); it != pods_.end())
    return it->second;
  pod_observation o;
  o.uid = uid;
  o.namespace_ = meta.value("namespace", "");
  o.name = meta.value("name", "");
  o.pod_ip = "10.244.0." + std::to_string(next_ip_++);
  o.sandbox_ready = true;
  int pid = 1000;
  for (const auto& c : pod.at("spec").value("containers", nlohmann::json::array())) {
    container_observation co;
    co.name = c.value("name", "");
    co.current = state::running;
    co.started_at_ns = fake_time_ns_ += 1'000'000'000;
    co.pid = ++pid;
    o.containers.push_back(std::move(co));
  }
  pods_.emplace(uid, o);
  return o;
}

expected<pod_observation> fake_pod_runtime::observe(const std::string& uid) {
  std::lock_guard lock{mutex_};
  auto it = pods_.find(uid);
  if (it == pods_.end())
    return error{errc::not_found, "no pod " + uid};
  return it->second;
}

void fake_pod_runtime::end(container_observation& c, std::optional<int> exit_code, std::optional<int> signal,
                           std::string reason) {
  if (c.current != state::running)
    return;
  c.current = state::terminated;
  c.exit_code = exit_code ? exit_code : (signal ? std::optional<int>{128 + *signal} : std::nullopt);
  c.signal = signal;
  c.reason = std::move(reason);
  c.finished_at_ns = fake_time_ns_ += 1'000'000'000;
  c.pid = 0;
}

error fake_pod_runtime::signal_pod(const std::string& uid, int signal) {
  std::lock_guard lock{mutex_};
  signals_.emplace_back(uid, signal);
  auto it = pods_.find(uid);
  if (it == pods_.end())
    return {errc::not_found, "no pod " + uid};
  if (signal == SIGTERM && ignore_sigterm_)
    return {};
  for (auto& c : it->second.containers)
    end(c, std::nullopt, signal, "Error");
  return {};
}

error fake_pod_runtime::remove_pod(const std::string& uid) {
  std::lock_guard lock{mutex_};
  removed_.push_back(uid);
  pods_.erase(uid);
  return {};
}

std::vector<std::string> fake_pod_runtime::list_pods() {
  std::lock_guard lock{mutex_};
  std::vector<std::string> out;
  for (const auto& [uid, _] : pods_)
    out.push_back(uid);
  return out;
}

void fake_pod_runtime::fail_next_run(podvisor::error e, int times) {
  std::lock_guard lock{mutex_};
  for (int i = 0; i < times; ++i)
    run_failures_.push_back(e);
}

void fake_pod_runtime::exit_container(const std::string& uid, const std::string& container, int exit_code) {
  std::lock_guard lock{mutex_};
  for (auto& c : pods_.at(uid).containers)
    if (c.name == container)
      end(c, exit_code, std::nullopt, exit_code == 0 ? "Completed" : "Error");
}

void fake_pod_runtime::oom_kill(const std::string& uid, const std::string& container) {
  std::lock_guard lock{mutex_};
  for (auto& c : pods_.at(uid).containers)
    if (c.name == container)
      end(c, std::nullopt, SIGKILL, "OOMKilled");
}

void fake_pod_runtime::set_ignore_sigterm(bool ignore) {
  std::lock_guard lock{mutex_};
  ignore_sigterm_ = ignore;
}

void fake_pod_runtime::add_running_pod(const std::string& uid, const std::vector<std::string>& containers,
                                       const std::string& ip) {
  std::lock_guard lock{mutex_};
  pod_observation o;
  o.uid = uid;
  o.pod_ip = ip;
  o.sandbox_ready = true;
  for (const auto& name : containers) {
    container_observation c;
    c.name = name;
    c.current = state::running;
    c.started_at_ns = fake_time_ns_ += 1'000'000'000;
    o.containers.push_back(std::move(c));
  }
  pods_[uid] = std::move(o);
}

std::vector<std::pair<std::string, int>> fake_pod_runtime::signals() const {
  std::lock_guard lock{mutex_};
  return signals_;
}

std::vector<std::string> fake_pod_runtime::removed() const {
  std::lock_guard lock{mutex_};
  return removed_;
}

std::size_t fake_pod_runtime::runs() const {
  std::lock_guard lock{mutex_};
  return runs_;
}

bool fake_pod_runtime::has_pod(const std::string& uid) const {
  std::lock_guard lock{mutex_};
  return pods_.count(uid) != 0;
}

} // namespace podvisor::fakes
