#pragma once
// A pod's network, made in-process: a persistent network namespace kept alive by a bind
// mount on a file (what `unshare --net=FILE` and `ip netns add` do), and the pod wired
// into its node over rtnetlink (what `ip link add ... netns`, `ip link set ... master`,
// `ip addr add` and `ip route add` did in forked processes). The netlink work runs on
// threads that entered the node's or the pod's namespace (net/binding's netns_thread);
// the caller's own thread never changes namespace.
//
// The result, for a pod with IP 10.97.1.5 on a node whose pod CIDR is 10.97.1.0/24:
//   node netns: VETH (veth, up, master BRIDGE)
//   pod netns:  lo up; eth0 (veth peer of VETH, up) 10.97.1.5/24; default via GATEWAY

#include <filesystem>
#include <string>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

/// Creates `file` (if missing) and makes it a new, empty network namespace that outlives
/// every process: a short-lived thread unshares its network namespace and bind-mounts
/// it onto the file. The mount is made in the caller's mount namespace, so `file` should
/// lie under a private mount (see mounts.hpp). Links later created in the namespace have
/// IPv6 disabled (the cluster network is IPv4-only); lo keeps ::1. On failure the file
/// is removed again.
error create_netns_file(const std::filesystem::path& file);

/// How a pod is wired into its node.
struct pod_wiring {
  /// The node's network namespace (a path).
  std::string node_netns;
  /// The node's pod bridge the veth joins ("cbr0").
  std::string node_bridge;
  /// The veth's name in the node namespace; its peer in the pod is always "eth0".
  std::string veth;
  /// The pod's IPv4 address.
  std::string ip;
  /// The node's pod CIDR ("10.97.1.0/24"): its prefix length is the address's.
  std::string pod_cidr;
  /// The default route's next hop (the bridge's address).
  std::string gateway;
};

/// Wires the pod whose network namespace is at `pod_netns` (see the file comment).
/// Errors name the step and the object; what was made before a failure stays for
/// `remove_pod_veth` and the namespace's unmount to undo.
error wire_pod_network(const pod_wiring& w, const std::filesystem::path& pod_netns);

/// Deletes `veth` from the node namespace at `node_netns` (its peer goes with it).
/// Success when the veth or the namespace is already gone.
error remove_pod_veth(const std::string& node_netns, const std::string& veth);

} // namespace podvisor::kube::podlet
