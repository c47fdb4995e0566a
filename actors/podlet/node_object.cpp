#include "actors/podlet/node_object.hpp"

#include "actors/podlet/pod_status.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::actors::podlet {

namespace {

using nlohmann::json;

void set_node_condition(json& conditions, const std::string& type, bool status, const std::string& reason,
                        const std::string& message, const std::string& now) {
  std::string value = status ? "True" : "False";
  json c = {{"type", type},   {"status", value},           {"reason", reason},
            {"message", message}, {"lastHeartbeatTime", now}, {"lastTransitionTime", now}};
  for (auto& old : conditions) {
    if (!old.is_object() || old.value("type", "") != type)
      continue;
    if (old.value("status", "") == value && old.contains("lastTransitionTime"))
      c["lastTransitionTime"] = old["lastTransitionTime"];
    old = std::move(c);
    return;
  }
  conditions.push_back(std::move(c));
}

void apply(json& n, const node_description& node, std::chrono::system_clock::time_point at) {
  auto now = format_time(at);
  auto& labels = n["metadata"]["labels"];
  if (!labels.is_object())
    labels = json::object();
  labels["kubernetes.io/hostname"] = node.name;
  labels["kubernetes.io/os"] = "linux";
  labels["kubernetes.io/arch"] = node.architecture;
  if (!node.pod_cidr.empty()) {
    n["spec"]["podCIDR"] = node.pod_cidr;
    n["spec"]["podCIDRs"] = json::array({node.pod_cidr});
  }
  auto& status = n["status"];
  if (!status.is_object())
    status = json::object();
  json resources = {{"cpu", node.cpu}, {"memory", node.memory}, {"pods", std::to_string(node.max_pods)}};
  if (node.kvm)
    resources["devices.kubevirt.io/kvm"] = "1000";
  status["capacity"] = resources;
  status["allocatable"] = resources;
  json addresses = json::array();
  if (!node.ip.empty())
    addresses.push_back({{"type", "InternalIP"}, {"address", node.ip}});
  addresses.push_back({{"type", "Hostname"}, {"address", node.name}});
  status["addresses"] = std::move(addresses);
  status["nodeInfo"] = {{"kernelVersion", node.kernel_version},
                        {"osImage", node.os_image},
                        {"operatingSystem", "linux"},
                        {"architecture", node.architecture},
                        {"kubeletVersion", node.kubelet_version},
                        {"kubeProxyVersion", ""},
                        {"containerRuntimeVersion", "podvisor://" + node.kubelet_version},
                        {"machineID", ""},
                        {"systemUUID", ""},
                        {"bootID", ""}};
  status["daemonEndpoints"] = {{"kubeletEndpoint", {{"Port", 0}}}};
  auto& conditions = status["conditions"];
  if (!conditions.is_array())
    conditions = json::array();
  set_node_condition(conditions, "MemoryPressure", false, "KubeletHasSufficientMemory",
                     "kubelet has sufficient memory available", now);
  set_node_condition(conditions, "DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                     now);
  set_node_condition(conditions, "PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available",
                     now);
  set_node_condition(conditions, "Ready", true, "KubeletReady", "kubelet is posting ready status", now);
}

std::string micro_time(std::chrono::system_clock::time_point t) {
  return podvisor::kube::api::format_micro_timestamp(
    podvisor::kube::api::timestamp{std::chrono::floor<std::chrono::microseconds>(t)});
}

} // namespace

json new_node(const node_description& node, std::chrono::system_clock::time_point now) {
  json n = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", node.name}}}, {"spec", json::object()}};
  apply(n, node, now);
  return n;
}

json refreshed_node(const json& current, const node_description& node, std::chrono::system_clock::time_point now) {
  json n = current;
  apply(n, node, now);
  return n;
}

json new_node_lease(const std::string& node, std::chrono::seconds duration, std::chrono::system_clock::time_point now) {
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", node}, {"namespace", node_lease_namespace}}},
                {"spec", json::object()}};
  return renewed_node_lease(lease, node, duration, now);
}

json renewed_node_lease(const json& current, const std::string& node, std::chrono::seconds duration,
                        std::chrono::system_clock::time_point now) {
  json lease = current;
  auto& spec = lease["spec"];
  spec["holderIdentity"] = node;
  spec["leaseDurationSeconds"] = duration.count();
  spec["renewTime"] = micro_time(now);
  return lease;
}

} // namespace podvisor::actors::podlet
