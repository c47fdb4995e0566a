#include "actors/controller/vmi_decision.hpp"

#include <algorithm>

namespace podvisor::actors::controller {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* a, const char* b = nullptr) {
  if (!j.is_object())
    return {};
  auto it = j.find(a);
  if (it == j.end())
    return {};
  if (b == nullptr)
    return it->is_string() ? it->get<std::string>() : std::string{};
  return str(*it, b);
}

bool has_deletion_timestamp(const json& object) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object())
    return false;
  auto it = object["metadata"].find("deletionTimestamp");
  return it != object["metadata"].end() && !it->is_null();
}

bool has_finalizer(const json& vmi) {
  const json* list = nullptr;
  if (vmi.contains("metadata") && vmi["metadata"].is_object() && vmi["metadata"].contains("finalizers"))
    list = &vmi["metadata"]["finalizers"];
  if (list == nullptr || !list->is_array())
    return false;
  return std::any_of(list->begin(), list->end(), [](const json& f) { return f == vmi_finalizer; });
}

/// Order of the phases this controller moves through; anything past Scheduled (or
/// unknown to it) belongs to the node agent.
int rank(const std::string& phase) {
  if (phase.empty())
    return 0;
  if (phase == "Pending")
    return 1;
  if (phase == "Scheduling")
    return 2;
  if (phase == "Scheduled")
    return 3;
  return 4;
}

bool is_final(const std::string& phase) { return phase == "Succeeded" || phase == "Failed"; }

const json* find_condition(const json& object, const std::string& type) {
  if (!object.is_object() || !object.contains("status") || !object["status"].is_object())
    return nullptr;
  const auto& status = object["status"];
  auto it = status.find("conditions");
  if (it == status.end() || !it->is_array())
    return nullptr;
  for (const auto& c : *it)
    if (c.is_object() && c.value("type", "") == type)
      return &c;
  return nullptr;
}

std::int64_t grace_period(const json& vmi) {
  if (vmi.contains("spec") && vmi["spec"].is_object()) {
    auto it = vmi["spec"].find("terminationGracePeriodSeconds");
    if (it != vmi["spec"].end() && it->is_number_integer() && it->get<std::int64_t>() >= 0)
      return it->get<std::int64_t>();
  }
  return 30;
}

/// Deletes every pod not already terminating.
void delete_pods(const std::vector<json>& pods, std::int64_t grace, vmi_actions& out) {
  for (const auto& pod : pods)
    if (!has_deletion_timestamp(pod))
      out.delete_pods.push_back({str(pod, "metadata", "name"), grace});
}

/// Drops the parts of `edit` that the VMI already shows; nullopt when nothing is left.
std::optional<vmi_status_edit> effective(const json& vmi, vmi_status_edit edit) {
  const json status = vmi.contains("status") && vmi["status"].is_object() ? vmi["status"] : json::object();
  if (edit.node_name == status.value("nodeName", ""))
    edit.node_name.clear();
  if (edit.reason == status.value("reason", ""))
    edit.reason.clear();
  std::erase_if(edit.set_conditions, [&](const condition_edit& c) {
    const json* have = find_condition(vmi, c.type);
    return have != nullptr && have->value("status", "") == c.status && have->value("reason", "") == c.reason &&
           have->value("message", "") == c.message;
  });
  std::erase_if(edit.remove_conditions, [&](const std::string& t) { return find_condition(vmi, t) == nullptr; });
  if (edit.phase == edit.from_phase && edit.node_name.empty() && edit.reason.empty() && edit.set_conditions.empty() &&
      edit.remove_conditions.empty())
    return std::nullopt;
  return edit;
}

/// A container of the pod waiting for a reason other than being created (the kubelet's
/// CreateContainerError, ErrImagePull, …): (reason, message).
std::optional<std::pair<std::string, std::string>> container_stuck(const json& pod) {
  const json* statuses = nullptr;
  if (auto st = pod.find("status"); st != pod.end() && st->is_object())
    if (auto cs = st->find("containerStatuses"); cs != st->end() && cs->is_array())
      statuses = &*cs;
  if (statuses == nullptr)
    return std::nullopt;
  for (const auto& c : *statuses) {
    if (!c.is_object())
      continue;
    auto state = c.find("state");
    if (state == c.end() || !state->is_object())
      continue;
    auto waiting = state->find("waiting");
    if (waiting == state->end() || !waiting->is_object())
      continue;
    const std::string reason = waiting->value("reason", "");
    if (reason.empty() || reason == "ContainerCreating" || reason == "PodInitializing")
      continue;
    return std::make_pair(reason, "container " + c.value("name", std::string{"?"}) + ": " +
                                    waiting->value("message", reason));
  }
  return std::nullopt;
}

/// The pod's PodScheduled=False condition when the scheduler found no node.
const json* unschedulable(const json& pod) {
  const json* c = find_condition(pod, "PodScheduled");
  if (c != nullptr && c->value("status", "") == "False" && c->value("reason", "") == "Unschedulable")
    return c;
  return nullptr;
}

std::string pod_end_message(const json& pod, const std::string& fallback) {
  std::string reason = str(pod, "status", "reason");
  std::string message = str(pod, "status", "message");
  if (reason.empty() && message.empty())
    return fallback;
  if (reason.empty())
    return message;
  return message.empty() ? reason : reason + ": " + message;
}

} // namespace

vmi_actions decide_vmi(const nlohmann::json* vmi_ptr, const std::vector<nlohmann::json>& pods,
                       const vmi_facts& facts) {
  vmi_actions out;
  if (vmi_ptr == nullptr || !vmi_ptr->is_object())
    return out;
  const json& vmi = *vmi_ptr;
  const std::string phase = str(vmi, "status", "phase");
  const std::int64_t grace = grace_period(vmi);

  // Being deleted, or finished: the pods go, then the finalizer.
  if (has_deletion_timestamp(vmi) || is_final(phase)) {
    delete_pods(pods, grace, out);
    if (pods.empty() && facts.expectations_satisfied && has_finalizer(vmi))
      out.remove_finalizer = true;
    return out;
  }

  vmi_status_edit edit;
  edit.from_phase = phase;
  edit.phase = phase;
  // A Synchronized=False left by an earlier failed sync (possibly before a restart).
  edit.remove_conditions.push_back("Synchronized");

  // The launcher pod: the one with the deterministic name if present, else the first.
  const std::string own_name = launcher_pod_name(vmi);
  const json* pod = nullptr;
  for (const auto& p : pods)
    if (str(p, "metadata", "name") == own_name)
      pod = &p;
  if (pod == nullptr && !pods.empty())
    pod = &pods.front();

  if (pod == nullptr) {
    if (!facts.expectations_satisfied)
      return out; // a pod was created and is not in the cache yet: wait for it
    if (rank(phase) <= 1) {
      auto built = build_launcher_pod(vmi, facts.pod);
      if (!built) {
        out.error_reason = "FailedCreate";
        out.error_message = "cannot build the launcher pod: " + built.error().message;
        return out;
      }
      out.add_finalizer = !has_finalizer(vmi);
      out.create_pod = std::move(*built);
      edit.phase = "Pending";
    } else {
      // Observed before (Scheduling or later), gone now, the VMI not finished.
      edit.phase = "Failed";
      edit.reason = "PodDeleted";
      out.events.push_back({"Warning", "PodDeleted", "the launcher pod " + own_name + " is gone"});
    }
    out.status = effective(vmi, std::move(edit));
    return out;
  }

  out.add_finalizer = !has_finalizer(vmi);
  const std::string pod_name = str(*pod, "metadata", "name");
  const std::string pod_phase = str(*pod, "status", "phase");
  if (pod_phase == "Failed" || pod_phase == "Succeeded" || has_deletion_timestamp(*pod)) {
    // The pod ended before the VMI did. Until a node agent reports the VM's own end, the
    // launcher's exit is the VM's end: exit 0 (the guest powered off) → Succeeded.
    if (pod_phase == "Succeeded") {
      edit.phase = "Succeeded";
      edit.reason = "PodSucceeded";
    } else {
      edit.phase = "Failed";
      edit.reason = pod_phase == "Failed" ? "PodFailed" : "PodTerminating";
      out.events.push_back({"Warning", edit.reason,
                            "launcher pod " + pod_name + ": " +
                              pod_end_message(*pod, pod_phase == "Failed" ? "failed" : "terminating")});
    }
    out.status = effective(vmi, std::move(edit));
    return out;
  }

  const std::string node = str(*pod, "spec", "nodeName");
  if (rank(phase) < 2)
    edit.phase = "Scheduling";
  if (!node.empty() && pod_phase == "Running") {
    if (rank(phase) < 3) {
      edit.phase = "Scheduled";
      edit.node_name = node;
    }
    edit.remove_conditions.push_back("PodScheduled");
  } else if (const json* c = unschedulable(*pod); c != nullptr && rank(phase) <= 2) {
    edit.set_conditions.push_back({"PodScheduled", "False", c->value("reason", ""), c->value("message", "")});
  } else if (!node.empty()) {
    edit.remove_conditions.push_back("PodScheduled");
    // Bound but its container cannot be created (a missing image directory, a volume
    // the node cannot provide): say why on the VMI, or it would sit in Scheduling with
    // no reason a user can see.
    if (auto stuck = container_stuck(*pod); stuck && rank(phase) <= 2)
      edit.set_conditions.push_back({"Ready", "False", stuck->first,
                                     "launcher pod " + pod_name + ": " + stuck->second});
  }
  out.status = effective(vmi, std::move(edit));
  return out;
}

bool apply_vmi_status_edit(nlohmann::json& vmi, const vmi_status_edit& edit, const std::string& now) {
  if (!vmi.is_object())
    return false;
  auto& status = vmi["status"];
  if (!status.is_object())
    status = json::object();
  if (status.value("phase", "") != edit.from_phase)
    return false;
  if (edit.phase != edit.from_phase) {
    status["phase"] = edit.phase;
    auto& transitions = status["phaseTransitionTimestamps"];
    if (!transitions.is_array())
      transitions = json::array();
    transitions.push_back({{"phase", edit.phase}, {"phaseTransitionTimestamp", now}});
  }
  if (!edit.node_name.empty())
    status["nodeName"] = edit.node_name;
  if (!edit.reason.empty())
    status["reason"] = edit.reason;
  auto& conditions = status["conditions"];
  if (!conditions.is_array())
    conditions = json::array();
  for (const auto& type : edit.remove_conditions) {
    for (auto it = conditions.begin(); it != conditions.end();) {
      if (it->is_object() && it->value("type", "") == type)
        it = conditions.erase(it);
      else
        ++it;
    }
  }
  for (const auto& c : edit.set_conditions) {
    auto it = std::find_if(conditions.begin(), conditions.end(),
                           [&](const json& x) { return x.is_object() && x.value("type", "") == c.type; });
    if (it == conditions.end()) {
      conditions.push_back({{"type", c.type},
                            {"status", c.status},
                            {"reason", c.reason},
                            {"message", c.message},
                            {"lastProbeTime", nullptr},
                            {"lastTransitionTime", now}});
      continue;
    }
    if ((*it).value("status", "") != c.status)
      (*it)["lastTransitionTime"] = now;
    (*it)["status"] = c.status;
    (*it)["reason"] = c.reason;
    (*it)["message"] = c.message;
  }
  if (conditions.empty())
    status.erase("conditions");
  return true;
}

} // namespace podvisor::actors::controller
