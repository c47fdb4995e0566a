#include "kube/scheduler/node_info.hpp"

#include <algorithm>
#include <utility>

namespace podvisor::kube::scheduler {

void node_info::add_pod(api::pod pod) {
  if (is_terminated(pod))
    return;
  add_amounts(requested, pod_requests(pod, request_mode::exact));
  add_amounts(non_zero_requested, pod_requests(pod, request_mode::non_zero));
  pods.push_back(std::move(pod));
}

bool node_info::remove_pod(const std::string& namespace_, const std::string& name) {
  auto it = std::find_if(pods.begin(), pods.end(), [&](const api::pod& p) {
    return p.metadata.namespace_ == namespace_ && p.metadata.name == name;
  });
  if (it == pods.end())
    return false;
  subtract_amounts(requested, pod_requests(*it, request_mode::exact));
  subtract_amounts(non_zero_requested, pod_requests(*it, request_mode::non_zero));
  pods.erase(it);
  return true;
}

node_info make_node_info(api::node node, std::vector<api::pod> pods) {
  node_info out{.node = std::move(node), .pods = {}, .requested = {}, .non_zero_requested = {}};
  for (auto& p : pods)
    out.add_pod(std::move(p));
  return out;
}

} // namespace podvisor::kube::scheduler
