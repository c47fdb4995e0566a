#pragma once
// What a Pod object asks of the sandbox runtime, decided before anything is touched: the
// containers as argv + environment, the volumes and where they are mounted, the pod's
// resource limits. Pure functions over JSON, so bad input is refused with a message that
// names the field, and the planning is unit-tested without namespaces.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

/// Fetches a ConfigMap or Secret ("ConfigMap"/"Secret", namespace, name) for volumes and
/// env valueFrom; not_found when it does not exist.
using object_resolver =
    std::function<expected<nlohmann::json>(const std::string& kind, const std::string& ns, const std::string& name)>;

/// One file of a configMap/secret volume: relative path, content, mode.
struct volume_file {
  std::string path;
  std::string content;
  unsigned mode = 0644;
  friend bool operator==(const volume_file&, const volume_file&) = default;
};

/// A volume of the pod, as the runtime will provide it.
struct volume_plan {
  enum class kind : std::uint8_t { empty_dir, memory_dir, host_path, files };
  std::string name;
  kind type = kind::empty_dir;
  /// host_path: the node path; its `type` ("", Directory, DirectoryOrCreate, File,
  /// FileOrCreate, Socket, CharDevice, BlockDevice).
  std::string host_path;
  std::string host_path_type;
  /// memory_dir: tmpfs size in bytes (0: the tmpfs default).
  std::int64_t size_limit = 0;
  /// files (configMap, secret): what to write.
  std::vector<volume_file> files;
};

/// A volume mounted at a path inside the pod's mount namespace.
struct mount_plan {
  std::string volume;
  std::string mount_path;
  std::string sub_path;
  bool read_only = false;
  friend bool operator==(const mount_plan&, const mount_plan&) = default;
};

/// One container as a process.
struct container_plan {
  std::string name;
  /// command + args; argv[0] absolute or a name found on PATH.
  std::vector<std::string> argv;
  /// "NAME=value", in spec order; "$(POD_IP)"-style references are not expanded.
  std::vector<std::string> env;
  std::string working_dir;
};

/// The whole pod.
struct pod_plan {
  std::string uid, namespace_, name, node_name;
  bool host_network = false;
  std::vector<container_plan> containers;
  std::vector<volume_plan> volumes;
  /// Every volumeMount of every container, one per mountPath (containers share the pod's
  /// mount namespace, so two containers mounting different volumes at one path conflict).
  std::vector<mount_plan> mounts;
  /// Sum of the containers' limits; nothing when any container has none.
  std::optional<std::int64_t> memory_limit_bytes;
  std::optional<std::int64_t> cpu_limit_millis;
};

/// Plans `pod`. `pod_ip` fills env fieldRef status.podIP (may be empty before the
/// sandbox exists: plan again afterwards). `resolve` supplies ConfigMaps and Secrets.
expected<pod_plan> plan_pod(const nlohmann::json& pod, const std::string& pod_ip, const object_resolver& resolve);

/// The first free address of `cidr` ("10.99.1.0/24") from .2 on, skipping the network,
/// gateway (.1), broadcast and `used`; resource_exhausted when the subnet is full.
expected<std::string> allocate_ip(const std::string& cidr, const std::vector<std::string>& used);

/// Decodes standard base64 (Secret data); parse_error for anything else.
expected<std::string> decode_base64(const std::string& text);

} // namespace podvisor::kube::podlet
