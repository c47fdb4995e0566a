#pragma once
// The Node labels and annotations the node agent writes and the controller reads
// (KubeVirt's virt-handler heartbeat has the same shape: kubevirt.io/schedulable and a
// heartbeat annotation). One place, so that writer and reader cannot drift apart.

namespace podvisor::kube::api {

/// "true" while the node's agent heartbeats; "false" once the controller found the
/// heartbeat stale. Launcher pods select "true".
inline constexpr const char* node_schedulable_label = "podvisor.io/schedulable";
/// The agent's last heartbeat (RFC 3339, microseconds), judged by when it last changed.
inline constexpr const char* node_agent_heartbeat_annotation = "podvisor.io/agent-heartbeat";
/// "true"/"false": whether the agent found KVM usable on the node.
inline constexpr const char* node_kvm_annotation = "podvisor.io/kvm";

} // namespace podvisor::kube::api
