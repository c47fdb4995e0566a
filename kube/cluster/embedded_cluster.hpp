#pragma once
// The embedded cluster `podvisor up` runs and the end-to-end tests and benchmarks start:
// the API server (in this process), a simulated network of N nodes, and the component
// processes — the scheduler, the controller, one podlet and one node agent per node —
// which, like their real counterparts, only ever talk to the API server.
//
// Start order: network → API server (on the cluster bridge's host address, so that
// processes inside node namespaces reach it) → podlets (nodes register and turn Ready) →
// node agents → scheduler → controller. The agents and launcher pods share
// DATA/run/vmis/<vmi uid>/ (the launcher's command socket, the agent's network results):
// nodes share the host's file system, and a VMI's uid keeps its directory its own. Teardown runs the other way round and leaves nothing behind
// but the data directory: controller and scheduler stop first so that nothing is
// recreated, every pod is deleted through the API and the podlets terminate their
// containers with the pods' grace periods; then the podlets stop, any sandbox a podlet
// could not remove is removed directly, and the network goes.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "kube/cluster/component_set.hpp"
#include "kube/podlet/cluster_network.hpp"

namespace podvisor::kube::apiserver {
class embedded_server;
}

namespace podvisor::kube::cluster {

/// How to run the cluster.
struct embedded_cluster_options {
  /// The API server's data and everything the cluster creates (logs/, nodes/, network/).
  std::filesystem::path data_dir;
  /// Where podvisor-scheduler, podvisor-controller, podvisor-podlet, podvisor-shim,
  /// podvisor-agent and podvisor-launcher are.
  std::filesystem::path bin_dir;
  /// Number of simulated nodes; 0 runs the API server alone (no root needed).
  std::size_t nodes = 2;
  /// API server address; empty host → the cluster bridge's address (127.0.0.1 without
  /// nodes). Port 0 picks a free one.
  std::string listen_host;
  int port = 6443;
  /// Per node.
  std::string node_cpu = "2";
  std::string node_memory = "8Gi";
  std::size_t max_pods = 110;
  /// "auto", "on", "off": whether nodes offer /dev/kvm and launcher pods ask for it.
  std::string kvm = "auto";
  /// The launcher pods' command; empty → bin_dir/podvisor-launcher.
  std::string launcher_binary;
  /// Short id of this cluster's host interfaces (see cluster_network_config::id).
  std::string network_id = "up";
  std::string cluster_cidr = "10.99.0.0/16";
  /// Passed to every component.
  std::string log_level = "info";
  /// Run a node agent (podvisor-agent) per node: launcher pods then wait for their agent,
  /// which wires the guest's network and starts the VM. Off: launchers start VMs alone
  /// (tests and benchmarks with a stub launcher).
  bool agents = true;
  /// Start a component again when it exits (with back-off), as a Deployment or a
  /// DaemonSet would. Off: an exited component stays down (tests that kill one on purpose).
  bool restart_components = true;
  /// Container images the nodes can use, one directory per image reference (the
  /// controller's --image-dir); empty → DATA/images.
  std::filesystem::path image_dir;
  /// Extra flags for the controller (e.g. the node controller's timeout in tests).
  std::vector<std::string> controller_flags;
  /// Extra flags for every node agent (e.g. a short heartbeat interval in tests).
  std::vector<std::string> agent_flags;
  /// Progress lines ("network: 2 nodes", "node-0 Ready"); may be empty.
  std::function<void(std::string_view)> progress;
};

/// A running embedded cluster. Destroying it tears it down (see `stop`).
class embedded_cluster {
public:
  /// Starts everything and waits until every node is Ready (or fails with the
  /// component's log tail). An error names the step that failed; whatever was started
  /// is stopped again.
  static expected<std::unique_ptr<embedded_cluster>> start(embedded_cluster_options options);
  ~embedded_cluster();
  embedded_cluster(const embedded_cluster&) = delete;
  embedded_cluster& operator=(const embedded_cluster&) = delete;

  apiserver::embedded_server& server();
  /// The simulated nodes (empty without nodes).
  const std::vector<podlet::simulated_node>& nodes() const;
  /// The component processes.
  component_set& components();

  /// Tears down (idempotent): see the header comment for the order. `pod_grace` bounds
  /// how long pods may take to terminate.
  void stop(std::chrono::seconds pod_grace = std::chrono::seconds{60});

private:
  struct impl;
  explicit embedded_cluster(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

} // namespace podvisor::kube::cluster
