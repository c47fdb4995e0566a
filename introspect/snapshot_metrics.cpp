#include "introspect/snapshot_metrics.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace podvisor::introspect {

namespace {

using json = nlohmann::json;

std::string str(const json& j, const char* key) {
  if (!j.is_object())
    return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::optional<double> num(const json& j, const char* key) {
  if (!j.is_object())
    return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number())
    return std::nullopt;
  return it->get<double>();
}

const json& arr(const json& j, const char* key) {
  static const json empty = json::array();
  if (!j.is_object())
    return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

/// One family and its samples, each from every snapshot.
template <class Fn>
error family(prometheus_text& out, const json& snapshots, const char* name, metric_type type, const char* help,
             Fn samples) {
  if (auto e = out.family(name, type, help))
    return e;
  for (const auto& s : snapshots) {
    std::vector<label> vmi{{"namespace", str(s, "namespace")}, {"name", str(s, "name")}};
    if (auto e = samples(s, vmi))
      return e;
  }
  return {};
}

std::vector<label> with(std::vector<label> labels, std::vector<label> more) {
  labels.insert(labels.end(), more.begin(), more.end());
  return labels;
}

} // namespace

error append_supervisor_metrics(prometheus_text& out, const json& snapshots_in) {
  static const json none = json::array();
  const json& snapshots = snapshots_in.is_array() ? snapshots_in : none;
  using labels = std::vector<label>;
  if (auto e = family(out, snapshots, "podvisor_supervisor_info", metric_type::gauge,
                      "The VMI's supervisor on this node: its state and the VMI phase it last wrote.",
                      [&](const json& s, const labels& vmi) {
                        return out.sample(with(vmi, {{"uid", str(s, "uid")},
                                                     {"node", str(s, "node")},
                                                     {"state", str(s, "state")},
                                                     {"phase", str(s, "phase")}}),
                                          1);
                      }))
    return e;
  if (auto e = family(out, snapshots, "podvisor_supervisor_transitions_total", metric_type::counter,
                      "State transitions of the supervisor since it started.",
                      [&](const json& s, const labels& vmi) {
                        return out.sample(vmi, static_cast<double>(arr(s, "timeline").size()));
                      }))
    return e;
  if (auto e = family(out, snapshots, "podvisor_supervisor_step_duration_seconds", metric_type::gauge,
                      "Time the supervisor last spent in each state (the current one: so far).",
                      [&](const json& s, const labels& vmi) -> error {
                        std::map<std::string, double> last; // a state entered twice: its latest stay
                        for (const auto& step : arr(s, "timeline"))
                          if (auto ms = num(step, "durationMs"); ms && !str(step, "state").empty())
                            last[str(step, "state")] = *ms / 1000.0;
                        for (const auto& [state, seconds] : last)
                          if (auto failed = out.sample(with(vmi, {{"state", state}}), seconds))
                            return failed;
                        return {};
                      }))
    return e;
  if (auto e = family(out, snapshots, "podvisor_actor_restarts_total", metric_type::counter,
                      "Restarts of the supervisor's child actors.",
                      [&](const json& s, const labels& vmi) -> error {
                        for (const auto& c : arr(s, "children"))
                          if (auto n = num(c, "restarts"))
                            if (auto failed = out.sample(with(vmi, {{"actor", str(c, "name")}}), *n))
                              return failed;
                        return {};
                      }))
    return e;
  if (auto e = family(out, snapshots, "podvisor_actor_mailbox_depth", metric_type::gauge,
                      "Messages waiting in the mailboxes of the supervisor's child actors.",
                      [&](const json& s, const labels& vmi) -> error {
                        for (const auto& c : arr(s, "children"))
                          if (auto n = num(c, "mailbox"))
                            if (auto failed = out.sample(with(vmi, {{"actor", str(c, "name")}}), *n))
                              return failed;
                        return {};
                      }))
    return e;
  if (auto e = family(out, snapshots, "podvisor_actor_messages_total", metric_type::counter,
                      "Messages the supervisor's child actors handled (as of the supervisor's last snapshot).",
                      [&](const json& s, const labels& vmi) -> error {
                        for (const auto& c : arr(s, "children"))
                          if (auto n = num(c, "messages"))
                            if (auto failed = out.sample(with(vmi, {{"actor", str(c, "name")}}), *n))
                              return failed;
                        return {};
                      }))
    return e;
  if (auto e = family(out, snapshots, "podvisor_launcher_running", metric_type::gauge,
                      "1 while the VMI's launcher process is known to run.",
                      [&](const json& s, const labels& vmi) {
                        auto launcher = s.is_object() && s.contains("launcher") ? s["launcher"] : json::object();
                        return out.sample(vmi, num(launcher, "pid").value_or(0) > 0 ? 1 : 0);
                      }))
    return e;
  return family(out, snapshots, "podvisor_vmi_lease_info", metric_type::gauge,
                "The DHCP leases the launcher's responder has served to the guest.",
                [&](const json& s, const labels& vmi) -> error {
                  for (const auto& l : arr(s, "lease"))
                    if (auto e = out.sample(
                          with(vmi, {{"interface", str(l, "interface")}, {"mac", str(l, "mac")}, {"ip", str(l, "ip")}}),
                          1))
                      return e;
                  return {};
                });
}

} // namespace podvisor::introspect
