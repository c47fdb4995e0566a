#include "actors/scheduler/cluster_state.hpp"

#include <utility>

#include "kube/scheduler/resources.hpp"

namespace podvisor::actors::scheduler {

void cluster_state::upsert_node(podvisor::kube::api::node node) {
  auto name = node.metadata.name;
  nodes_.insert_or_assign(std::move(name), std::move(node));
}

void cluster_state::remove_node(const std::string& name) {
  nodes_.erase(name);
}

void cluster_state::upsert_pod(const std::string& key, podvisor::kube::api::pod pod) {
  if (pod.spec.node_name.empty() || podvisor::kube::scheduler::is_terminated(pod)) {
    bound_.erase(key);
    // An assumed pod that is still unbound stays assumed: the bind is in flight.
    if (!pod.spec.node_name.empty())
      assumed_.erase(key);
    return;
  }
  assumed_.erase(key);
  bound_.insert_or_assign(key, std::move(pod));
}

void cluster_state::remove_pod(const std::string& key) {
  bound_.erase(key);
  assumed_.erase(key);
}

void cluster_state::assume(const std::string& key, podvisor::kube::api::pod pod, const std::string& node) {
  pod.spec.node_name = node;
  assumed_.insert_or_assign(key, std::move(pod));
}

void cluster_state::forget(const std::string& key) {
  assumed_.erase(key);
}

kube::scheduler::cluster_snapshot cluster_state::snapshot() const {
  podvisor::kube::scheduler::cluster_snapshot out;
  std::map<std::string, std::size_t> index;
  out.nodes.reserve(nodes_.size());
  for (const auto& [name, node] : nodes_) {
    index.emplace(name, out.nodes.size());
    out.nodes.push_back(podvisor::kube::scheduler::make_node_info(node));
  }
  auto place = [&](const podvisor::kube::api::pod& pod) {
    auto it = index.find(pod.spec.node_name);
    if (it != index.end())
      out.nodes[it->second].add_pod(pod);
  };
  for (const auto& [key, pod] : bound_)
    place(pod);
  for (const auto& [key, pod] : assumed_)
    place(pod);
  return out;
}

} // namespace podvisor::actors::scheduler
