#include "actors/agent/vm_status.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace podvisor::actors::agent {

namespace {

using nlohmann::json;

void set_condition(json& status, const std::string& type, const std::string& value, const std::string& reason,
                   const std::string& message, const std::string& now) {
  auto& conditions = status["conditions"];
  if (!conditions.is_array())
    conditions = json::array();
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const json& c) { return c.is_object() && c.value("type", "") == type; });
  if (it == conditions.end()) {
    conditions.push_back({{"type", type},
                          {"status", value},
                          {"reason", reason},
                          {"message", message},
                          {"lastProbeTime", nullptr},
                          {"lastTransitionTime", now}});
    return;
  }
  if (it->value("status", "") != value)
    (*it)["lastTransitionTime"] = now;
  (*it)["status"] = value;
  (*it)["reason"] = reason;
  (*it)["message"] = message;
}

} // namespace

int vmi_phase_rank(const std::string& phase) {
  if (phase == "Pending")
    return 1;
  if (phase == "Scheduling")
    return 2;
  if (phase == "Scheduled")
    return 3;
  if (phase == "Running")
    return 4;
  if (phase == "Succeeded" || phase == "Failed")
    return 5;
  return 0;
}

bool apply_vm_report(json& vmi, const vm_report& report, const vm_status_facts& facts) {
  if (!vmi.is_object() || report.phase.empty())
    return false;
  auto& status = vmi["status"];
  if (!status.is_object())
    status = json::object();
  const std::string current = status.value("phase", "");
  const int have = vmi_phase_rank(current);
  const int want = vmi_phase_rank(report.phase);
  if (have < 3 || have == 5 || want < have)
    return false; // the controller's, finished, or backwards
  if (report.phase != current) {
    status["phase"] = report.phase;
    auto& transitions = status["phaseTransitionTimestamps"];
    if (!transitions.is_array())
      transitions = json::array();
    transitions.push_back({{"phase", report.phase}, {"phaseTransitionTimestamp", facts.now}});
  }
  if (!report.leases.empty()) {
    // One entry per interface that took a lease, by name.
    json interfaces = json::array();
    for (const auto& [name, lease] : report.leases) {
      json entry = {{"name", name}, {"mac", lease.mac}, {"infoSource", "podvisor-dhcp"}};
      if (!lease.ip.empty()) {
        entry["ipAddress"] = lease.ip;
        entry["ipAddresses"] = json::array({lease.ip});
      }
      interfaces.push_back(std::move(entry));
    }
    status["interfaces"] = std::move(interfaces);
  }
  if (report.phase == "Running") {
    set_condition(status, "Ready", "True", "", "", facts.now);
    set_condition(status, "LiveMigratable", "False", "NotYetSupported", "live migration is not implemented yet",
                  facts.now);
    if (facts.software_emulation)
      set_condition(status, "SoftwareEmulation", "True", "", "the VM runs under software emulation (TCG)",
                    facts.now);
  } else {
    if (!report.reason.empty())
      status["reason"] = report.reason;
    set_condition(status, "Ready", "False", report.reason.empty() ? report.phase : report.reason, report.message,
                  facts.now);
  }
  return true;
}

} // namespace podvisor::actors::agent
