#include "actors/podlet/pod_status.hpp"

#include <string_view>
#include <vector>

#include "kube/api/timestamp.hpp"

namespace podvisor::actors::podlet {

namespace {

using podvisor::kube::podlet::container_observation;
using nlohmann::json;
using state = container_observation::state;

std::string ns_time(std::int64_t ns) {
  return format_time(std::chrono::system_clock::time_point{
    std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds{ns})});
}

const json& member_or_null(const json& j, std::string_view key) {
  static const json null_value;
  if (!j.is_object())
    return null_value;
  auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

std::string string_at(const json& j, std::string_view key) {
  const auto& v = member_or_null(j, key);
  return v.is_string() ? v.get<std::string>() : std::string{};
}

/// Sets condition `type` to `status`, keeping lastTransitionTime when the status stays.
void set_condition(json& conditions, const std::string& type, bool status, const std::string& reason,
                   const std::string& message, const std::string& now) {
  std::string value = status ? "True" : "False";
  json c = {{"type", type}, {"status", value}, {"lastProbeTime", nullptr}, {"lastTransitionTime", now}};
  if (!reason.empty())
    c["reason"] = reason;
  if (!message.empty())
    c["message"] = message;
  for (auto& old : conditions) {
    if (string_at(old, "type") != type)
      continue;
    if (string_at(old, "status") == value && old.contains("lastTransitionTime"))
      c["lastTransitionTime"] = old["lastTransitionTime"];
    old = std::move(c);
    return;
  }
  conditions.push_back(std::move(c));
}

/// One containerStatuses entry.
json container_status(const json& spec_container, const container_observation* seen,
                      const pod_status_input& input) {
  json s = {{"name", string_at(spec_container, "name")},
            {"image", string_at(spec_container, "image")},
            {"imageID", ""},
            {"ready", false},
            {"restartCount", 0},
            {"started", false},
            {"lastState", json::object()}};
  if (seen == nullptr) {
    json waiting = {{"reason", input.failed_reason.empty() ? input.waiting_reason : input.failed_reason}};
    auto message = input.failed_reason.empty() ? input.waiting_message : input.failed_message;
    if (!message.empty())
      waiting["message"] = message;
    s["state"] = {{"waiting", std::move(waiting)}};
    return s;
  }
  s["restartCount"] = seen->restart_count;
  switch (seen->current) {
    case state::waiting: {
      json waiting = {{"reason", seen->reason.empty() ? std::string{"ContainerCreating"} : seen->reason}};
      if (!seen->message.empty())
        waiting["message"] = seen->message;
      s["state"] = {{"waiting", std::move(waiting)}};
      break;
    }
    case state::running:
      s["state"] = {{"running", {{"startedAt", ns_time(seen->started_at_ns)}}}};
      s["ready"] = true;
      s["started"] = true;
      break;
    case state::terminated: {
      // A signal death without a recorded exit code is reported the way a shell (and
      // kubelet, through the runtime) folds it: 128 + signal.
      int code = seen->exit_code ? *seen->exit_code : (seen->signal ? 128 + *seen->signal : 0);
      std::string reason = seen->reason.empty() ? (code == 0 ? "Completed" : "Error") : seen->reason;
      json t = {{"exitCode", code}, {"reason", reason}};
      if (seen->signal)
        t["signal"] = *seen->signal;
      if (!seen->message.empty())
        t["message"] = seen->message;
      if (seen->started_at_ns != 0)
        t["startedAt"] = ns_time(seen->started_at_ns);
      if (seen->finished_at_ns != 0)
        t["finishedAt"] = ns_time(seen->finished_at_ns);
      s["state"] = {{"terminated", std::move(t)}};
      break;
    }
  }
  return s;
}

int exit_code_of(const json& status) {
  const auto& t = member_or_null(member_or_null(status, "state"), "terminated");
  return t.is_object() ? t.value("exitCode", 0) : 0;
}

/// kubelet's getPhase for pods without init containers.
std::string compute_phase(const json& statuses, const std::string& restart_policy) {
  int waiting = 0, running = 0, succeeded = 0, failed = 0;
  for (const auto& s : statuses) {
    const auto& st = s["state"];
    if (st.contains("running"))
      ++running;
    else if (st.contains("terminated"))
      ++(exit_code_of(s) == 0 ? succeeded : failed);
    else
      ++waiting;
  }
  if (waiting > 0 || statuses.empty())
    return "Pending";
  if (running > 0)
    return "Running";
  if (restart_policy == "Always")
    return "Running";
  if (failed == 0)
    return "Succeeded";
  return restart_policy == "OnFailure" ? "Running" : "Failed";
}

} // namespace

std::string format_time(std::chrono::system_clock::time_point t) {
  return podvisor::kube::api::format_timestamp(podvisor::kube::api::timestamp{std::chrono::floor<std::chrono::seconds>(t)});
}

std::string pod_phase(const json& pod) { return string_at(member_or_null(pod, "status"), "phase"); }

bool is_terminal_phase(const std::string& phase) { return phase == "Succeeded" || phase == "Failed"; }

json build_pod_status(const json& pod, const pod_status_input& input) {
  const auto now = format_time(input.now);
  json status = member_or_null(pod, "status");
  if (!status.is_object())
    status = json::object();
  const json& spec = member_or_null(pod, "spec");
  std::string restart_policy = string_at(spec, "restartPolicy");
  if (restart_policy.empty())
    restart_policy = "Always";

  const auto* seen = input.observation ? &*input.observation : nullptr;

  json statuses = json::array();
  const auto& containers = member_or_null(spec, "containers");
  if (containers.is_array())
    for (const auto& c : containers) {
      const container_observation* match = nullptr;
      if (seen != nullptr)
        for (const auto& o : seen->containers)
          if (o.name == string_at(c, "name"))
            match = &o;
      statuses.push_back(container_status(c, match, input));
    }

  std::string old_phase = string_at(status, "phase");
  std::string phase;
  if (is_terminal_phase(old_phase))
    phase = old_phase; // kubelet never leaves a terminal phase
  else if (!input.failed_reason.empty())
    phase = "Failed";
  else if (seen == nullptr)
    phase = "Pending";
  else
    phase = compute_phase(statuses, restart_policy);
  status["phase"] = phase;
  if (!input.failed_reason.empty() && phase == "Failed") {
    status["reason"] = input.failed_reason;
    status["message"] = input.failed_message;
  }

  if (!input.host_ip.empty()) {
    status["hostIP"] = input.host_ip;
    status["hostIPs"] = json::array({{{"ip", input.host_ip}}});
  }
  if (seen != nullptr && !seen->pod_ip.empty()) {
    status["podIP"] = seen->pod_ip;
    status["podIPs"] = json::array({{{"ip", seen->pod_ip}}});
  }
  if (!status.contains("startTime"))
    status["startTime"] = now;

  std::vector<std::string> unready;
  for (const auto& s : statuses)
    if (!s.value("ready", false))
      unready.push_back(s.value("name", ""));
  bool ready = unready.empty() && !statuses.empty() && phase == "Running";
  std::string reason, message;
  if (!ready) {
    if (is_terminal_phase(phase)) {
      reason = "PodCompleted";
    } else {
      reason = "ContainersNotReady";
      message = "containers with unready status: [";
      for (std::size_t i = 0; i < unready.size(); ++i)
        message += (i == 0 ? "" : " ") + unready[i];
      message += "]";
    }
  }

  json conditions = member_or_null(status, "conditions");
  if (!conditions.is_array())
    conditions = json::array();
  set_condition(conditions, "PodScheduled", true, "", "", now);
  bool initialized = seen != nullptr && seen->sandbox_ready;
  set_condition(conditions, "Initialized", initialized || is_terminal_phase(phase), "", "", now);
  set_condition(conditions, "ContainersReady", ready, reason, message, now);
  set_condition(conditions, "Ready", ready, reason, message, now);
  status["conditions"] = std::move(conditions);
  status["containerStatuses"] = std::move(statuses);
  return status;
}

} // namespace podvisor::actors::podlet
