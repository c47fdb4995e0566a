#pragma once
// The network of a simulated cluster on one machine, for `podvisor up` and tests: every
// node is a network namespace, joined to the others by a cluster bridge in the host
// namespace, and each node routes its own pod subnet to a node bridge (a host-gateway
// CNI, like flannel's host-gw backend):
//
//   host ns:  bridge <p>br 10.99.0.1/24 ── veth <p>n0 ──┐   routes 10.99.(i+1).0/24 via node i
//                                       └─ veth <p>n1 ─┐│
//   node-1 ns: eth0 10.99.0.11/24, cbr0 10.99.2.1/24 ◄─┘│   routes to other pod CIDRs via their node
//   node-0 ns: eth0 10.99.0.10/24, cbr0 10.99.1.1/24 ◄──┘   ip_forward=1, default via 10.99.0.1
//
// The API server listens on the host side of the cluster bridge, so processes with host
// networking inside a node namespace reach it; the host reaches every pod IP through the
// routes. Node namespaces are bind-mounted in a directory the caller owns (never
// /run/netns), and every name derives from the config, so `remove_cluster_network` with
// the same config takes down what an earlier, crashed run left behind.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

/// What to build.
struct cluster_network_config {
  /// Short id of this cluster instance, 1–6 characters [a-z0-9]: every host interface
  /// starts with "pv" + id, so several clusters coexist and a stale one can be found.
  std::string id = "c0";
  /// A directory the caller owns; node namespaces are bind-mounted as
  /// `<state_dir>/netns/<node name>`, and `netns/` is made a private mount.
  std::filesystem::path state_dir;
  /// How many nodes (1–200).
  std::size_t nodes = 2;
  /// Node i is named `<node_name_prefix><i>`, i from 0.
  std::string node_name_prefix = "node-";
  /// A /16: the cluster bridge gets .0.1/24, node i .0.(10+i)/24 and pod CIDR .(i+1).0/24.
  std::string cluster_cidr = "10.99.0.0/16";
};

/// One simulated node.
struct simulated_node {
  std::string name;
  /// The bind-mounted network namespace file (`setns`, `nsenter --net=`).
  std::filesystem::path netns_path;
  /// The node's address on the cluster bridge ("10.99.0.10"), its InternalIP.
  std::string node_ip;
  /// The node's pod subnet ("10.99.1.0/24"), its spec.podCIDR.
  std::string pod_cidr;
  /// The bridge for pod veths, inside the node namespace ("cbr0").
  std::string bridge;
  /// The pods' default gateway: the bridge's address, the pod CIDR's first address.
  std::string gateway;
};

/// A cluster network that exists.
struct cluster_network {
  cluster_network_config config;
  /// The cluster bridge in the host namespace ("pvc0br").
  std::string host_bridge;
  /// Its address without prefix ("10.99.0.1"): where the API server should listen.
  std::string host_ip;
  std::vector<simulated_node> nodes;
};

/// The names and addresses `config` gives, without touching the system; invalid_argument
/// for a bad id, node count, CIDR or an empty state_dir.
expected<cluster_network> plan_cluster_network(const cluster_network_config& config);

/// Builds the network (removing a stale one with the same config first). On failure
/// whatever was made is removed again. Needs root.
expected<cluster_network> create_cluster_network(const cluster_network_config& config);

/// Takes down everything `config` names: host veths and bridge (their routes go with
/// them), node namespaces and their bind mounts. Idempotent; also for a crashed run.
error remove_cluster_network(const cluster_network_config& config);

} // namespace podvisor::kube::podlet
