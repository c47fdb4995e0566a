#pragma once
// The Node object a podlet registers and keeps fresh, and its node Lease: pure
// functions over the node's configuration and the time, kubelet's shape
// (pkg/kubelet/nodestatus). Plain C++, no CAF.

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace podvisor::actors::podlet {

/// What the podlet says about its node.
struct node_description {
  std::string name;
  /// InternalIP.
  std::string ip;
  /// spec.podCIDR ("" → not set).
  std::string pod_cidr;
  /// Quantities as Kubernetes writes them ("4", "8Gi").
  std::string cpu = "1";
  std::string memory = "1Gi";
  std::int64_t max_pods = 110;
  /// Advertise devices.kubevirt.io/kvm.
  bool kvm = false;
  /// status.nodeInfo.
  std::string kernel_version;
  std::string os_image = "podvisor simulated node";
  std::string architecture = "amd64";
  std::string kubelet_version;
};

/// The Node to create: metadata (name, labels), spec.podCIDR and status.
nlohmann::json new_node(const node_description& node, std::chrono::system_clock::time_point now);

/// `current` (as read, keeping resourceVersion and anything others wrote) with our
/// labels, spec.podCIDR and status (capacity, allocatable, addresses, nodeInfo, and the
/// conditions Ready=True / *Pressure=False with lastHeartbeatTime = now; transition
/// times kept while a condition's status stays).
nlohmann::json refreshed_node(const nlohmann::json& current, const node_description& node,
                              std::chrono::system_clock::time_point now);

/// Namespace of node leases.
inline constexpr const char* node_lease_namespace = "kube-node-lease";

/// The node's Lease held by the node, renewed at `now` (kubelet: 40 s duration).
nlohmann::json new_node_lease(const std::string& node, std::chrono::seconds duration,
                              std::chrono::system_clock::time_point now);

/// `current` renewed at `now` (holder and duration set, resourceVersion kept).
nlohmann::json renewed_node_lease(const nlohmann::json& current, const std::string& node,
                                  std::chrono::seconds duration, std::chrono::system_clock::time_point now);

} // namespace podvisor::actors::podlet
