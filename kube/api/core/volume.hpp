#pragma once
// core/v1 Volume with the sources a VM launcher pod uses. Any other source (csi, nfs,
// projected, ...) is kept in `unknown` and passed through untouched.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/quantity.hpp"

namespace podvisor::kube::api {

/// core/v1 HostPathType. The empty spelling is a real value ("no check"), as in Go.
enum class host_path_type {
  unset,
  directory_or_create,
  directory,
  file_or_create,
  file,
  socket,
  char_device,
  block_device
};

template <>
struct enum_table<host_path_type> {
  static constexpr std::array entries = {
    enum_entry{host_path_type::unset, ""},
    enum_entry{host_path_type::directory_or_create, "DirectoryOrCreate"},
    enum_entry{host_path_type::directory, "Directory"},
    enum_entry{host_path_type::file_or_create, "FileOrCreate"},
    enum_entry{host_path_type::file, "File"},
    enum_entry{host_path_type::socket, "Socket"},
    enum_entry{host_path_type::char_device, "CharDevice"},
    enum_entry{host_path_type::block_device, "BlockDevice"},
  };
};

/// core/v1 HostPathVolumeSource.
struct host_path_volume_source {
  std::string path;
  std::optional<enum_field<host_path_type>> type;
  unknown_fields unknown;
  bool operator==(const host_path_volume_source&) const = default;
};

template <class F>
void describe(F& f, host_path_volume_source& x) {
  f("path", x.path, {.required = true, .doc = "Path on the host."});
  f("type", x.type, {.doc = "What must (or will be made to) exist at the path."});
}

/// core/v1 EmptyDirVolumeSource.
struct empty_dir_volume_source {
  /// "" (node default), "Memory", "HugePages" or "HugePages-<size>": a pattern, so a string.
  std::string medium;
  std::optional<quantity> size_limit;
  unknown_fields unknown;
  bool operator==(const empty_dir_volume_source&) const = default;
};

template <class F>
void describe(F& f, empty_dir_volume_source& x) {
  f("medium", x.medium, {.doc = "Backing storage: empty for the node's disk, Memory for tmpfs, or hugepages."});
  f("sizeLimit", x.size_limit, {.doc = "Most space the directory may use."});
}

/// core/v1 KeyToPath: projects one key of a config map or secret to a file.
struct key_to_path {
  std::string key;
  std::string path;
  std::optional<std::int32_t> mode;
  unknown_fields unknown;
  bool operator==(const key_to_path&) const = default;
};

template <class F>
void describe(F& f, key_to_path& x) {
  f("key", x.key, {.required = true, .doc = "Key to project."});
  f("path", x.path, {.required = true, .doc = "Relative file path the key is written to."});
  f("mode", x.mode, {.doc = "File mode bits (decimal in JSON)."});
}

/// core/v1 ConfigMapVolumeSource.
struct config_map_volume_source {
  std::string name;
  std::vector<key_to_path> items;
  std::optional<std::int32_t> default_mode;
  std::optional<bool> optional;
  unknown_fields unknown;
  bool operator==(const config_map_volume_source&) const = default;
};

template <class F>
void describe(F& f, config_map_volume_source& x) {
  f("name", x.name, {.doc = "Name of the config map in the pod's namespace."});
  f("items", x.items, {.doc = "Keys to project; all keys when empty."});
  f("defaultMode", x.default_mode, {.doc = "Mode bits of created files (decimal in JSON)."});
  f("optional", x.optional, {.doc = "Allow the config map or its keys to be missing."});
}

/// core/v1 SecretVolumeSource.
struct secret_volume_source {
  std::string secret_name;
  std::vector<key_to_path> items;
  std::optional<std::int32_t> default_mode;
  std::optional<bool> optional;
  unknown_fields unknown;
  bool operator==(const secret_volume_source&) const = default;
};

template <class F>
void describe(F& f, secret_volume_source& x) {
  f("secretName", x.secret_name, {.doc = "Name of the secret in the pod's namespace."});
  f("items", x.items, {.doc = "Keys to project; all keys when empty."});
  f("defaultMode", x.default_mode, {.doc = "Mode bits of created files (decimal in JSON)."});
  f("optional", x.optional, {.doc = "Allow the secret or its keys to be missing."});
}

/// core/v1 PersistentVolumeClaimVolumeSource.
struct persistent_volume_claim_volume_source {
  std::string claim_name;
  bool read_only = false;
  unknown_fields unknown;
  bool operator==(const persistent_volume_claim_volume_source&) const = default;
};

template <class F>
void describe(F& f, persistent_volume_claim_volume_source& x) {
  f("claimName", x.claim_name, {.required = true, .doc = "Name of the claim in the pod's namespace."});
  f("readOnly", x.read_only, {.doc = "Force read-only mounts."});
}

/// core/v1 Volume: a name plus exactly one source (validation enforces "exactly one").
struct volume {
  std::string name;
  std::optional<host_path_volume_source> host_path;
  std::optional<empty_dir_volume_source> empty_dir;
  std::optional<config_map_volume_source> config_map;
  std::optional<secret_volume_source> secret;
  std::optional<persistent_volume_claim_volume_source> persistent_volume_claim;
  /// Downward API files are rendered by the runtime; the API layer carries them as JSON.
  std::optional<json> downward_api;
  unknown_fields unknown; // other volume sources
  bool operator==(const volume&) const = default;
};

template <class F>
void describe(F& f, volume& x) {
  f("name", x.name, {.required = true, .doc = "Name of the volume, unique within the pod."});
  f("hostPath", x.host_path, {.doc = "A file or directory of the host."});
  f("emptyDir", x.empty_dir, {.doc = "A scratch directory that lives as long as the pod."});
  f("configMap", x.config_map, {.doc = "Files from a config map."});
  f("secret", x.secret, {.doc = "Files from a secret."});
  f("persistentVolumeClaim", x.persistent_volume_claim, {.doc = "The volume bound to a claim."});
  f("downwardAPI", x.downward_api, {.doc = "Files holding facts about the pod itself."});
}

} // namespace podvisor::kube::api
