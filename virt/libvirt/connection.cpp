#include "virt/libvirt/connection.hpp"

namespace podvisor::virt {

std::string_view to_string(domain_state s) {
  switch (s) {
    case domain_state::no_state: return "no_state";
    case domain_state::running: return "running";
    case domain_state::blocked: return "blocked";
    case domain_state::paused: return "paused";
    case domain_state::shutting_down: return "shutting_down";
    case domain_state::shut_off: return "shut_off";
    case domain_state::crashed: return "crashed";
    case domain_state::pm_suspended: return "pm_suspended";
  }
  return "unknown";
}

std::string_view to_string(domain_event::kind k) {
  using enum domain_event::kind;
  switch (k) {
    case defined: return "defined";
    case undefined: return "undefined";
    case started: return "started";
    case suspended: return "suspended";
    case resumed: return "resumed";
    case stopped: return "stopped";
    case shutdown: return "shutdown";
    case pm_suspended: return "pm_suspended";
    case crashed: return "crashed";
    case job_completed: return "job_completed";
  }
  return "unknown";
}

void name_devices(domain_stats& stats, const device_names& names) {
  auto rename = [](const std::map<std::string, std::string>& known, std::string& name) {
    if (auto it = known.find(name); it != known.end())
      name = it->second;
  };
  for (auto& i : stats.interfaces)
    rename(names.interfaces, i.name);
  for (auto& b : stats.blocks)
    rename(names.disks, b.name);
}

} // namespace podvisor::virt
