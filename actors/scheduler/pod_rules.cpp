#include "actors/scheduler/pod_rules.hpp"

#include <set>
#include <utility>

#include <nlohmann/json.hpp>

namespace podvisor::actors::scheduler {

namespace {

using nlohmann::json;

/// The member at a dotted path, or null.
const json& at(const json& object, std::initializer_list<const char*> path) {
  static const json null_value;
  const json* cur = &object;
  for (const char* step : path) {
    if (!cur->is_object())
      return null_value;
    auto it = cur->find(step);
    if (it == cur->end())
      return null_value;
    cur = &*it;
  }
  return *cur;
}

std::string string_at(const json& object, std::initializer_list<const char*> path) {
  const auto& v = at(object, path);
  return v.is_string() ? v.get<std::string>() : std::string{};
}

/// (type, status) of each condition, the part that matters for readiness.
std::set<std::pair<std::string, std::string>> condition_states(const json& node) {
  std::set<std::pair<std::string, std::string>> out;
  const auto& conditions = at(node, {"status", "conditions"});
  if (!conditions.is_array())
    return out;
  for (const auto& c : conditions)
    if (c.is_object())
      out.emplace(string_at(c, {"type"}), string_at(c, {"status"}));
  return out;
}

} // namespace

std::string bound_node(const json& pod) {
  return string_at(pod, {"spec", "nodeName"});
}

bool finished_or_deleting(const json& pod) {
  auto phase = string_at(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed" || !at(pod, {"metadata", "deletionTimestamp"}).is_null();
}

bool needs_scheduling(const json& pod, std::string_view scheduler_name) {
  if (!pod.is_object() || !bound_node(pod).empty() || finished_or_deleting(pod))
    return false;
  auto name = string_at(pod, {"spec", "schedulerName"});
  return (name.empty() ? std::string{default_scheduler_name} : name) == scheduler_name;
}

bool node_change_matters(const json& before, const json& after) {
  return at(before, {"metadata", "labels"}) != at(after, {"metadata", "labels"}) ||
         at(before, {"spec", "taints"}) != at(after, {"spec", "taints"}) ||
         at(before, {"spec", "unschedulable"}) != at(after, {"spec", "unschedulable"}) ||
         at(before, {"status", "allocatable"}) != at(after, {"status", "allocatable"}) ||
         condition_states(before) != condition_states(after);
}

bool pod_change_matters(const json& before, const json& after) {
  return at(before, {"spec"}) != at(after, {"spec"}) ||
         at(before, {"metadata", "labels"}) != at(after, {"metadata", "labels"});
}

bool has_unschedulable_condition(const json& pod, std::string_view message) {
  const auto& conditions = at(pod, {"status", "conditions"});
  if (!conditions.is_array())
    return false;
  for (const auto& c : conditions)
    if (string_at(c, {"type"}) == "PodScheduled")
      return string_at(c, {"status"}) == "False" && string_at(c, {"reason"}) == "Unschedulable" &&
             string_at(c, {"message"}) == message;
  return false;
}

bool set_unschedulable_condition(json& pod, std::string_view message, const std::string& now) {
  if (!pod.is_object() || !bound_node(pod).empty() || has_unschedulable_condition(pod, message))
    return false;
  auto& status = pod["status"];
  if (!status.is_object())
    status = json::object();
  auto& conditions = status["conditions"];
  if (!conditions.is_array())
    conditions = json::array();
  json* found = nullptr;
  for (auto& c : conditions)
    if (c.is_object() && string_at(c, {"type"}) == "PodScheduled")
      found = &c;
  if (found == nullptr) {
    conditions.push_back(json{{"type", "PodScheduled"}});
    found = &conditions.back();
  }
  auto& c = *found;
  if (string_at(c, {"status"}) != "False" || !c.contains("lastTransitionTime"))
    c["lastTransitionTime"] = now;
  c["status"] = "False";
  c["reason"] = "Unschedulable";
  c["message"] = std::string{message};
  return true;
}

json make_binding(std::string_view namespace_, std::string_view name, std::string_view uid, std::string_view node) {
  json meta = {{"name", std::string{name}}, {"namespace", std::string{namespace_}}};
  if (!uid.empty())
    meta["uid"] = std::string{uid};
  return {{"apiVersion", "v1"},
          {"kind", "Binding"},
          {"metadata", std::move(meta)},
          {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", std::string{node}}}}};
}

} // namespace podvisor::actors::scheduler
