// The pod printer: Ready, Status and Restarts exactly as the Kubernetes API server
// computes them (pkg/printers/internalversion printPod), init containers, sidecars
// (restartable init containers), terminating and node-lost pods included.

#include <optional>
#include <string>

#include "kube/api/timestamp.hpp"
#include "kube/apiserver/resources/humanize.hpp"
#include "kube/apiserver/resources/printer_util.hpp"
#include "kube/apiserver/resources/printers.hpp"

namespace podvisor::kube::apiserver {

using namespace print;

namespace {

using time_point = std::chrono::system_clock::time_point;

std::optional<time_point> time_at(const json& obj, std::string_view key) {
  const json& v = at(obj, key);
  if (!v.is_string())
    return std::nullopt;
  auto t = api::parse_timestamp(v.get_ref<const std::string&>());
  if (!t)
    return std::nullopt;
  return t->time;
}

// Moves `latest` forward to a container's last termination time, if that is later.
void note_termination(const json& container_status, std::optional<time_point>& latest) {
  auto finished = time_at(at(at(container_status, "lastState"), "terminated"), "finishedAt");
  if (finished && (!latest || *latest < *finished))
    latest = finished;
}

// A terminated container's reason, or "Signal:N"/"ExitCode:N" when it gave none.
std::string terminated_reason(const json& terminated, const char* prefix) {
  auto reason = string_at(terminated, "reason");
  if (!reason.empty())
    return prefix + reason;
  auto signal = int_at(terminated, "signal");
  if (signal != 0)
    return prefix + std::string("Signal:") + std::to_string(signal);
  return prefix + std::string("ExitCode:") + std::to_string(int_at(terminated, "exitCode"));
}

bool is_restartable_init(const json& spec, const std::string& name) {
  for (const auto& c : array_at(spec, "initContainers"))
    if (string_at(c, "name") == name)
      return string_at(c, "restartPolicy") == "Always";
  return false;
}

std::vector<json> pod_cells(const json& pod, const print_context& ctx) {
  const json& spec = at(pod, "spec");
  const json& status = at(pod, "status");
  const json& conditions = array_at(status, "conditions");
  std::int64_t restarts = 0;
  std::int64_t restartable_init_restarts = 0;
  auto total = static_cast<std::int64_t>(array_at(spec, "containers").size());
  std::int64_t ready = 0;
  std::optional<time_point> last_restart;
  std::optional<time_point> last_restartable_init_restart;

  auto phase = string_at(status, "phase");
  auto reason = phase;
  if (!string_at(status, "reason").empty())
    reason = string_at(status, "reason");
  for (const auto& c : conditions)
    if (string_at(c, "type") == "PodScheduled" && string_at(c, "reason") == "SchedulingGated")
      reason = "SchedulingGated";

  for (const auto& c : array_at(spec, "initContainers"))
    if (string_at(c, "restartPolicy") == "Always")
      ++total; // sidecars count as containers

  bool initializing = false;
  const json& init_statuses = array_at(status, "initContainerStatuses");
  for (std::size_t i = 0; i < init_statuses.size(); ++i) {
    const json& c = init_statuses[i];
    const json& state = at(c, "state");
    bool restartable = is_restartable_init(spec, string_at(c, "name"));
    restarts += int_at(c, "restartCount");
    note_termination(c, last_restart);
    if (restartable) {
      restartable_init_restarts += int_at(c, "restartCount");
      note_termination(c, last_restartable_init_restart);
    }
    const json& terminated = at(state, "terminated");
    const json& waiting = at(state, "waiting");
    if (terminated.is_object() && int_at(terminated, "exitCode") == 0)
      continue;
    if (restartable && bool_at(c, "started")) {
      if (bool_at(c, "ready"))
        ++ready;
      continue;
    }
    if (terminated.is_object()) {
      reason = terminated_reason(terminated, "Init:");
    } else if (waiting.is_object() && !string_at(waiting, "reason").empty()
               && string_at(waiting, "reason") != "PodInitializing") {
      reason = "Init:" + string_at(waiting, "reason");
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(array_at(spec, "initContainers").size());
    }
    initializing = true;
    break;
  }

  if (!initializing || condition_status(conditions, "Initialized") == "True") {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    const json& statuses = array_at(status, "containerStatuses");
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      const json& c = *it;
      const json& state = at(c, "state");
      restarts += int_at(c, "restartCount");
      note_termination(c, last_restart);
      const json& waiting = at(state, "waiting");
      const json& terminated = at(state, "terminated");
      if (waiting.is_object() && !string_at(waiting, "reason").empty()) {
        reason = string_at(waiting, "reason");
      } else if (terminated.is_object()) {
        reason = terminated_reason(terminated, "");
      } else if (bool_at(c, "ready") && at(state, "running").is_object()) {
        has_running = true;
        ++ready;
      }
    }
    // A pod whose last container completed while another still runs is not Completed.
    if (reason == "Completed" && has_running)
      reason = condition_status(conditions, "Ready") == "True" ? "Running" : "NotReady";
  }

  bool deleting = at(at(pod, "metadata"), "deletionTimestamp").is_string();
  if (deleting && string_at(status, "reason") == "NodeLost")
    reason = "Unknown";
  else if (deleting && phase != "Succeeded" && phase != "Failed")
    reason = "Terminating";

  auto restarts_text = std::to_string(restarts);
  if (restarts != 0 && last_restart)
    restarts_text += " (" + human_duration(ctx.now - *last_restart) + " ago)";

  std::string pod_ip;
  const json& ips = array_at(status, "podIPs");
  if (!ips.empty())
    pod_ip = string_at(ips[0], "ip");
  std::string gates = "<none>";
  const json& readiness_gates = array_at(spec, "readinessGates");
  if (!readiness_gates.empty()) {
    std::size_t true_count = 0;
    for (const auto& gate : readiness_gates)
      if (condition_status(conditions, string_at(gate, "conditionType")) == "True")
        ++true_count;
    gates = std::to_string(true_count) + "/" + std::to_string(readiness_gates.size());
  }
  return {string_at(pod, "metadata.name"),
          std::to_string(ready) + "/" + std::to_string(total),
          reason,
          restarts_text,
          age(pod, ctx),
          none_if_empty(pod_ip),
          none_if_empty(string_at(spec, "nodeName")),
          none_if_empty(string_at(status, "nominatedNodeName")),
          gates};
}

} // namespace

table_printer pod_printer() {
  return {{name_column(), column("Ready", "string", "Ready containers out of all containers."),
           column("Status", "string", "Aggregate status of the pod's containers."),
           column("Restarts", "string", "Container restarts, and how long ago the last one was."), age_column(),
           column("IP", "string", "Pod IP address.", 1), column("Node", "string", "Node the pod is bound to.", 1),
           column("Nominated Node", "string", "Node nominated by preemption.", 1),
           column("Readiness Gates", "string", "Readiness gates that are true out of all.", 1)},
          pod_cells};
}

} // namespace podvisor::kube::apiserver
