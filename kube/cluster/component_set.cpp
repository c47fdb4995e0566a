#include "kube/cluster/component_set.hpp"

#include <csignal>
#include <system_error>

#include <unistd.h>

namespace podvisor::kube::cluster {

component_set::~component_set() { stop_all(std::chrono::seconds{10}); }

error component_set::start(const component_spec& spec) {
  if (spec.argv.empty())
    return error{errc::invalid_argument, "component " + spec.name + ": no command"};
  const auto& binary = spec.argv.front();
  if (::access(binary.c_str(), X_OK) != 0)
    return error{errc::not_found, "component " + spec.name + ": " + binary +
                                      " is missing or not executable (build it: cmake --build build --target " +
                                      std::filesystem::path(binary).filename().string() + ")"};
  std::error_code ec;
  std::filesystem::create_directories(log_dir_, ec);
  if (ec)
    return error{errc::io_error, "log directory " + log_dir_.string() + ": " + ec.message()};
  spawn_options opts;
  opts.output_path = (log_dir_ / (spec.name + ".log")).string();
  // If `podvisor up` dies without its teardown, its components go with it; the pods'
  // containers do not (they run under their own monitors, as under a real kubelet), and
  // the next `podvisor up` re-adopts or removes them.
  opts.parent_death_signal = SIGTERM;
  auto child = child_process::spawn(spec.argv, opts);
  if (!child)
    return error{child.error().code, "component " + spec.name + ": " + child.error().message};
  entries_.push_back(entry{spec, std::move(child.value()), opts.output_path, false});
  return {};
}

std::vector<component_state> component_set::newly_exited() {
  std::vector<component_state> out;
  for (auto& e : entries_) {
    if (e.reported || e.process.running())
      continue;
    e.reported = true;
    out.push_back({e.spec.name, e.process.pid(), false,
                   e.process.status() ? e.process.status()->to_string() : std::string("ended"), e.log});
  }
  return out;
}

std::vector<component_state> component_set::states() {
  std::vector<component_state> out;
  for (auto& e : entries_) {
    bool running = e.process.running();
    out.push_back({e.spec.name, e.process.pid(), running,
                   running || !e.process.status() ? std::string() : e.process.status()->to_string(), e.log});
  }
  return out;
}

bool component_set::stop(const std::string& name, std::chrono::milliseconds grace) {
  for (auto& e : entries_) {
    if (e.spec.name == name) {
      e.process.stop(grace);
      e.reported = true;
      return true;
    }
  }
  return false;
}

void component_set::stop_all(std::chrono::milliseconds grace) {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    it->process.stop(grace);
    it->reported = true;
  }
}

} // namespace podvisor::kube::cluster
