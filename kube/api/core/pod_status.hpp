#pragma once
// core/v1 PodStatus: what the node agent reports about a pod and its containers.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/common.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// core/v1 PodPhase.
enum class pod_phase { pending, running, succeeded, failed, unknown };

template <>
struct enum_table<pod_phase> {
  static constexpr std::array entries = {
    enum_entry{pod_phase::pending, "Pending"},
    enum_entry{pod_phase::running, "Running"},
    enum_entry{pod_phase::succeeded, "Succeeded"},
    enum_entry{pod_phase::failed, "Failed"},
    enum_entry{pod_phase::unknown, "Unknown"},
  };
};

/// core/v1 PodQOSClass.
enum class pod_qos_class { guaranteed, burstable, best_effort };

template <>
struct enum_table<pod_qos_class> {
  static constexpr std::array entries = {
    enum_entry{pod_qos_class::guaranteed, "Guaranteed"},
    enum_entry{pod_qos_class::burstable, "Burstable"},
    enum_entry{pod_qos_class::best_effort, "BestEffort"},
  };
};

/// core/v1 PodCondition. The type stays a string: readiness gates add custom types.
struct pod_condition {
  std::string type;
  enum_field<condition_status> status;
  timestamp last_probe_time;
  timestamp last_transition_time;
  std::string reason;
  std::string message;
  unknown_fields unknown;
  bool operator==(const pod_condition&) const = default;
};

template <class F>
void describe(F& f, pod_condition& x) {
  f("type", x.type, {.required = true, .doc = "Condition type: PodScheduled, Initialized, ContainersReady, Ready, ..."});
  f("status", x.status, {.required = true, .doc = "True, False or Unknown."});
  f("lastProbeTime", x.last_probe_time, {.doc = "When the condition was last probed."});
  f("lastTransitionTime", x.last_transition_time, {.doc = "When the status last changed."});
  f("reason", x.reason, {.doc = "CamelCase reason for the last transition."});
  f("message", x.message, {.doc = "Human-readable detail of the last transition."});
}

/// core/v1 PodIP (also HostIP, which has the same shape).
struct pod_ip {
  std::string ip;
  unknown_fields unknown;
  bool operator==(const pod_ip&) const = default;
};

template <class F>
void describe(F& f, pod_ip& x) {
  f("ip", x.ip, {.required = true, .doc = "An IPv4 or IPv6 address."});
}

/// core/v1 ContainerStateWaiting.
struct container_state_waiting {
  std::string reason;
  std::string message;
  unknown_fields unknown;
  bool operator==(const container_state_waiting&) const = default;
};

template <class F>
void describe(F& f, container_state_waiting& x) {
  f("reason", x.reason, {.doc = "Why the container is not running yet (ContainerCreating, CrashLoopBackOff, ...)."});
  f("message", x.message, {.doc = "Human-readable detail."});
}

/// core/v1 ContainerStateRunning.
struct container_state_running {
  timestamp started_at;
  unknown_fields unknown;
  bool operator==(const container_state_running&) const = default;
};

template <class F>
void describe(F& f, container_state_running& x) {
  f("startedAt", x.started_at, {.doc = "When the container last (re)started."});
}

/// core/v1 ContainerStateTerminated.
struct container_state_terminated {
  std::int32_t exit_code = 0;
  std::int32_t signal = 0;
  std::string reason;
  std::string message;
  timestamp started_at;
  timestamp finished_at;
  std::string container_id;
  unknown_fields unknown;
  bool operator==(const container_state_terminated&) const = default;
};

template <class F>
void describe(F& f, container_state_terminated& x) {
  f("exitCode", x.exit_code, {.required = true, .doc = "Exit status of the container's process."});
  f("signal", x.signal, {.doc = "Signal that ended the process, if any."});
  f("reason", x.reason, {.doc = "Completed, Error, OOMKilled, ..."});
  f("message", x.message, {.doc = "Human-readable detail."});
  f("startedAt", x.started_at, {.doc = "When that run started."});
  f("finishedAt", x.finished_at, {.doc = "When that run ended."});
  f("containerID", x.container_id, {.doc = "Runtime ID of the container, <type>://<id>."});
}

/// core/v1 ContainerState: at most one member is set; none means waiting.
struct container_state {
  std::optional<container_state_waiting> waiting;
  std::optional<container_state_running> running;
  std::optional<container_state_terminated> terminated;
  unknown_fields unknown;
  bool operator==(const container_state&) const = default;
};

template <class F>
void describe(F& f, container_state& x) {
  f("waiting", x.waiting, {.doc = "Set while the container is not yet running."});
  f("running", x.running, {.doc = "Set while the container runs."});
  f("terminated", x.terminated, {.doc = "Set once the container has exited."});
}

/// core/v1 ContainerStatus.
struct container_status {
  std::string name;
  container_state state;
  container_state last_state;
  bool ready = false;
  std::int32_t restart_count = 0;
  std::string image;
  std::string image_id;
  std::string container_id;
  std::optional<bool> started;
  unknown_fields unknown;
  bool operator==(const container_status&) const = default;
};

template <class F>
void describe(F& f, container_status& x) {
  f("name", x.name, {.required = true, .doc = "Name of the container in the pod spec."});
  f("state", x.state, {.doc = "Current state."});
  f("lastState", x.last_state, {.doc = "State of the previous run, if any."});
  f("ready", x.ready, {.required = true, .doc = "Whether the readiness probe passes."});
  f("restartCount", x.restart_count, {.required = true, .doc = "How often the container was restarted."});
  f("image", x.image, {.required = true, .doc = "Image the container runs."});
  f("imageID", x.image_id, {.required = true, .doc = "Resolved image digest."});
  f("containerID", x.container_id, {.doc = "Runtime ID of the container, <type>://<id>."});
  f("started", x.started, {.doc = "Whether the startup probe has passed."});
}

/// core/v1 PodStatus.
struct pod_status {
  enum_field<pod_phase> phase;
  std::vector<pod_condition> conditions;
  std::string message;
  std::string reason;
  std::string nominated_node_name;
  std::string host_ip;
  std::vector<pod_ip> host_ips;
  std::string pod_ip_;
  std::vector<pod_ip> pod_ips;
  std::optional<timestamp> start_time;
  std::vector<container_status> init_container_statuses;
  std::vector<container_status> container_statuses;
  enum_field<pod_qos_class> qos_class;
  unknown_fields unknown;
  bool operator==(const pod_status&) const = default;
};

template <class F>
void describe(F& f, pod_status& x) {
  f("phase", x.phase, {.doc = "Pending, Running, Succeeded, Failed or Unknown."});
  f("conditions", x.conditions, {.doc = "Current service state of the pod."});
  f("message", x.message, {.doc = "Human-readable detail of the current state."});
  f("reason", x.reason, {.doc = "CamelCase reason for the current state (Evicted, ...)."});
  f("nominatedNodeName", x.nominated_node_name, {.doc = "Node the pod is expected to land on after preemption."});
  f("hostIP", x.host_ip, {.doc = "Primary IP of the node running the pod."});
  f("hostIPs", x.host_ips, {.doc = "IPs of the node running the pod; the first equals hostIP."});
  f("podIP", x.pod_ip_, {.doc = "Primary IP of the pod."});
  f("podIPs", x.pod_ips, {.doc = "IPs of the pod, at most one per family; the first equals podIP."});
  f("startTime", x.start_time, {.doc = "When the node agent accepted the pod."});
  f("initContainerStatuses", x.init_container_statuses, {.doc = "One entry per init container."});
  f("containerStatuses", x.container_statuses, {.doc = "One entry per container."});
  f("qosClass", x.qos_class, {.doc = "Guaranteed, Burstable or BestEffort."});
}

} // namespace podvisor::kube::api
