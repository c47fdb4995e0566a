#pragma once
// core/v1 Container and its parts. Only what the pod runtime acts on is typed; probes,
// lifecycle hooks, envFrom and the rest of the security context ride along in `unknown`.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/common.hpp"
#include "kube/api/enum_table.hpp"

namespace podvisor::kube::api {

/// core/v1 Protocol.
enum class protocol { tcp, udp, sctp };

template <>
struct enum_table<protocol> {
  static constexpr std::array entries = {
    enum_entry{protocol::tcp, "TCP"},
    enum_entry{protocol::udp, "UDP"},
    enum_entry{protocol::sctp, "SCTP"},
  };
};

/// core/v1 MountPropagationMode.
enum class mount_propagation_mode { none, host_to_container, bidirectional };

template <>
struct enum_table<mount_propagation_mode> {
  static constexpr std::array entries = {
    enum_entry{mount_propagation_mode::none, "None"},
    enum_entry{mount_propagation_mode::host_to_container, "HostToContainer"},
    enum_entry{mount_propagation_mode::bidirectional, "Bidirectional"},
  };
};

/// core/v1 PullPolicy.
enum class pull_policy { always, never, if_not_present };

template <>
struct enum_table<pull_policy> {
  static constexpr std::array entries = {
    enum_entry{pull_policy::always, "Always"},
    enum_entry{pull_policy::never, "Never"},
    enum_entry{pull_policy::if_not_present, "IfNotPresent"},
  };
};

/// core/v1 EnvVar. `valueFrom` (field, resource, config map and secret references) is
/// kept as raw JSON: the runtime resolves it, the API layer only carries it.
struct env_var {
  std::string name;
  std::string value;
  std::optional<json> value_from;
  unknown_fields unknown;
  bool operator==(const env_var&) const = default;
};

template <class F>
void describe(F& f, env_var& x) {
  f("name", x.name, {.required = true, .doc = "Name of the environment variable."});
  f("value", x.value, {.doc = "Literal value; $(VAR) references are expanded."});
  f("valueFrom", x.value_from, {.doc = "Source of the value when it is not a literal."});
}

/// core/v1 ContainerPort.
struct container_port {
  std::string name;
  std::int32_t host_port = 0;
  std::int32_t container_port_ = 0;
  enum_field<protocol> protocol_;
  unknown_fields unknown;
  bool operator==(const container_port&) const = default;
};

template <class F>
void describe(F& f, container_port& x) {
  f("name", x.name, {.doc = "Name services can refer to the port by."});
  f("hostPort", x.host_port, {.doc = "Port exposed on the host; rarely needed."});
  f("containerPort", x.container_port_, {.required = true, .doc = "Port the container listens on."});
  f("protocol", x.protocol_, {.doc = "TCP (default), UDP or SCTP."});
}

/// core/v1 ResourceRequirements.
struct resource_requirements {
  resource_list limits;
  resource_list requests;
  unknown_fields unknown;
  bool operator==(const resource_requirements&) const = default;
};

template <class F>
void describe(F& f, resource_requirements& x) {
  f("limits", x.limits, {.doc = "Most of each resource the container may use."});
  f("requests", x.requests, {.doc = "Resources reserved for the container when scheduling."});
}

/// core/v1 VolumeMount.
struct volume_mount {
  std::string name;
  bool read_only = false;
  std::string mount_path;
  std::string sub_path;
  std::optional<enum_field<mount_propagation_mode>> mount_propagation;
  unknown_fields unknown;
  bool operator==(const volume_mount&) const = default;
};

template <class F>
void describe(F& f, volume_mount& x) {
  f("name", x.name, {.required = true, .doc = "Name of the pod volume to mount."});
  f("readOnly", x.read_only, {.doc = "Mount read-only."});
  f("mountPath", x.mount_path, {.required = true, .doc = "Path inside the container."});
  f("subPath", x.sub_path, {.doc = "Path inside the volume to mount instead of its root."});
  f("mountPropagation", x.mount_propagation, {.doc = "How mounts propagate between host and container."});
}

/// core/v1 Capabilities.
struct capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
  unknown_fields unknown;
  bool operator==(const capabilities&) const = default;
};

template <class F>
void describe(F& f, capabilities& x) {
  f("add", x.add, {.doc = "Capabilities added to the runtime's default set (NET_ADMIN, SYS_NICE...)."});
  f("drop", x.drop, {.doc = "Capabilities removed from the runtime's default set."});
}

/// core/v1 SecurityContext (container level).
struct security_context {
  std::optional<capabilities> capabilities_;
  std::optional<bool> privileged;
  std::optional<std::int64_t> run_as_user;
  unknown_fields unknown; // SELinux, seccomp, runAsGroup, ... are carried, not interpreted
  bool operator==(const security_context&) const = default;
};

template <class F>
void describe(F& f, security_context& x) {
  f("capabilities", x.capabilities_, {.doc = "Capabilities to add and drop."});
  f("privileged", x.privileged, {.doc = "Run with (almost) all host privileges."});
  f("runAsUser", x.run_as_user, {.doc = "UID the container's entrypoint runs as."});
}

/// core/v1 Container (also used for init containers).
struct container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<container_port> ports;
  std::vector<env_var> env;
  resource_requirements resources;
  std::vector<volume_mount> volume_mounts;
  enum_field<pull_policy> image_pull_policy;
  std::optional<security_context> security_context_;
  unknown_fields unknown;
  bool operator==(const container&) const = default;
};

template <class F>
void describe(F& f, container& x) {
  f("name", x.name, {.required = true, .doc = "Name of the container, unique within the pod."});
  f("image", x.image, {.doc = "Container image reference."});
  f("command", x.command, {.doc = "Entrypoint; replaces the image's ENTRYPOINT."});
  f("args", x.args, {.doc = "Arguments; replace the image's CMD."});
  f("workingDir", x.working_dir, {.doc = "Working directory of the entrypoint."});
  f("ports", x.ports, {.doc = "Ports the container exposes (informational)."});
  f("env", x.env, {.doc = "Environment variables."});
  f("resources", x.resources, {.doc = "Compute resources requested and limited."});
  f("volumeMounts", x.volume_mounts, {.doc = "Pod volumes mounted into the container."});
  f("imagePullPolicy", x.image_pull_policy, {.doc = "When the image is pulled."});
  f("securityContext", x.security_context_, {.doc = "Privileges and identity of the container."});
}

} // namespace podvisor::kube::api
