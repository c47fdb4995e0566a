#include "kube/cluster/component_set.hpp"

#include <csignal>
#include <system_error>

#include <unistd.h>

namespace podvisor::kube::cluster {

component_set::~component_set() { stop_all(std::chrono::seconds{10}); }

expected<child_process> component_set::spawn(const component_spec& spec, const std::filesystem::path& log) {
  const auto& binary = spec.argv.front();
  if (::access(binary.c_str(), X_OK) != 0)
    return error{errc::not_found, "component " + spec.name + ": " + binary +
                                      " is missing or not executable (build it: cmake --build build --target " +
                                      std::filesystem::path(binary).filename().string() + ")"};
  spawn_options opts;
  // Appended to (spawn_options), so a restarted component's log keeps what its
  // predecessor said.
  opts.output_path = log.string();
  // If `podvisor up` dies without its teardown, its components go with it; the pods'
  // containers do not (they run under their own monitors, as under a real kubelet), and
  // the next `podvisor up` re-adopts or removes them.
  opts.parent_death_signal = SIGTERM;
  auto child = child_process::spawn(spec.argv, opts);
  if (!child)
    return error{child.error().code, "component " + spec.name + ": " + child.error().message};
  return std::move(child.value());
}

error component_set::start(const component_spec& spec) {
  if (spec.argv.empty())
    return error{errc::invalid_argument, "component " + spec.name + ": no command"};
  std::error_code ec;
  std::filesystem::create_directories(log_dir_, ec);
  if (ec)
    return error{errc::io_error, "log directory " + log_dir_.string() + ": " + ec.message()};
  auto log = log_dir_ / (spec.name + ".log");
  auto child = spawn(spec, log);
  if (!child)
    return child.error();
  entry e{spec, std::move(child.value()), log};
  e.started = clock::now();
  entries_.push_back(std::move(e));
  return {};
}

std::vector<component_state> component_set::newly_exited() {
  constexpr std::chrono::milliseconds first_backoff{1000}, max_backoff{30'000};
  constexpr std::chrono::minutes healthy_run{1};
  std::vector<component_state> out;
  const auto now = clock::now();
  for (auto& e : entries_) {
    if (e.reported || e.process.running())
      continue;
    e.reported = true;
    component_state st{e.spec.name, e.process.pid(), false,
                       e.process.status() ? e.process.status()->to_string() : std::string("ended"), e.log, e.restarts};
    if (restart_ && !e.stopped) {
      e.backoff = now - e.started >= healthy_run || e.backoff.count() == 0
                    ? first_backoff
                    : std::min(e.backoff * 2, max_backoff);
      e.restart_at = now + e.backoff;
      e.restart_pending = true;
      st.restart_in = e.backoff;
    }
    out.push_back(std::move(st));
  }
  return out;
}

std::vector<component_state> component_set::restart_due() {
  std::vector<component_state> out;
  const auto now = clock::now();
  for (auto& e : entries_) {
    if (!e.restart_pending || e.stopped || now < e.restart_at)
      continue;
    auto child = spawn(e.spec, e.log);
    if (!child) {
      // Tried again after the next back-off, as if it had exited at once.
      e.started = now;
      e.backoff = std::min(e.backoff * 2, std::chrono::milliseconds{30'000});
      e.restart_at = now + e.backoff;
      out.push_back({e.spec.name, 0, false, child.error().message, e.log, e.restarts, e.backoff});
      continue;
    }
    e.process = std::move(child.value());
    e.started = now;
    e.reported = false;
    e.restart_pending = false;
    ++e.restarts;
    out.push_back({e.spec.name, e.process.pid(), true, {}, e.log, e.restarts});
  }
  return out;
}

std::vector<component_state> component_set::states() {
  std::vector<component_state> out;
  for (auto& e : entries_) {
    bool running = e.process.running();
    out.push_back({e.spec.name, e.process.pid(), running,
                   running || !e.process.status() ? std::string() : e.process.status()->to_string(), e.log,
                   e.restarts});
  }
  return out;
}

bool component_set::stop(const std::string& name, std::chrono::milliseconds grace) {
  for (auto& e : entries_) {
    if (e.spec.name == name) {
      e.stopped = true;
      e.process.stop(grace);
      e.reported = true;
      return true;
    }
  }
  return false;
}

void component_set::stop_all(std::chrono::milliseconds grace) {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    it->stopped = true;
    it->process.stop(grace);
    it->reported = true;
  }
}

} // namespace podvisor::kube::cluster
