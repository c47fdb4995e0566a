#pragma once
// The pod_runtime of a simulated node: each pod is a sandbox of
//   - a network namespace (bind-mounted at <state>/pods/<uid>/net) whose eth0 is a veth
//     into the node's pod bridge, with an address from the node's pod CIDR (kept in the
//     pod's state, so it is released with it) and a default route via the gateway; or
//     the node's own namespace and IP for hostNetwork pods;
//   - a mount namespace (bind-mounted at .../mnt), every mount private, holding the
//     pod's volumes at their mountPaths (hostPath, emptyDir, emptyDir Memory as tmpfs,
//     configMap, secret); mountPaths must exist on the node, which pods share the root
//     filesystem with;
//   - a cgroup <own cgroup>/podvisor-<node>/pod-<uid> with the pod's memory and cpu
//     limits (cgroup v1 or v2);
//   - one podvisor-shim per container, outside the runtime's session, that runs the
//     container's command and records its life in .../containers/<name>.json.
// Container images are ignored: command[0] is a program of the node. initContainers are
// refused. Signals go straight to the recorded container pid: the shim adds nothing a
// kill(2) does not do, and it works even if the shim died.

#include <filesystem>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "kube/podlet/pod_plan.hpp"
#include "kube/podlet/pod_runtime.hpp"

namespace podvisor::kube::podlet {

struct sandbox_runtime_config {
  std::string node_name;
  /// The node's network namespace (simulated_node::netns_path); hostNetwork pods run here.
  std::string node_netns;
  /// The pod bridge inside the node namespace, its address (gateway), the pod subnet.
  std::string node_bridge = "cbr0";
  std::string gateway;
  std::string pod_cidr;
  /// The node's IP: the pod IP of hostNetwork pods.
  std::string node_ip;
  /// Pod state lives in <state_dir>/pods/<uid>; the directory is made a private mount.
  std::filesystem::path state_dir;
  /// The podvisor-shim program.
  std::string shim_path = "podvisor-shim";
  /// ConfigMaps and Secrets for volumes and env.
  object_resolver resolve;
};

/// A runtime over `config.state_dir`, re-adopting the pods it already holds.
/// invalid_argument for a config missing a field; io_error if the state directory
/// cannot be prepared.
expected<std::unique_ptr<pod_runtime>> make_sandbox_runtime(sandbox_runtime_config config);

} // namespace podvisor::kube::podlet
