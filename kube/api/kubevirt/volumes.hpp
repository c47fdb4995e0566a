#pragma once
// kubevirt.io/v1 volumes: where a disk's bytes come from (a container image, a claim, a
// scratch disk, a host file, cloud-init data, a config map...). Each volume is shown to
// the guest by the disk (or filesystem) of the same name; see disks.hpp.

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/container.hpp"
#include "kube/api/core/volume.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kubevirt/common.hpp"
#include "kube/api/quantity.hpp"

namespace podvisor::kube::api {

/// HostDiskType: whether the image must exist or may be created.
enum class host_disk_type { disk, disk_or_create };

template <>
struct enum_table<host_disk_type> {
  static constexpr std::array entries = {
    enum_entry{host_disk_type::disk, "Disk"},
    enum_entry{host_disk_type::disk_or_create, "DiskOrCreate"},
  };
};

/// ContainerDiskSource: a disk image shipped inside a container image.
struct container_disk_source {
  std::string image;
  std::string image_pull_secret;
  std::string path;
  enum_field<pull_policy> image_pull_policy;
  unknown_fields unknown;
  bool operator==(const container_disk_source&) const = default;
};

template <class F>
void describe(F& f, container_disk_source& x) {
  f("image", x.image, {.required = true, .doc = "Container image holding the disk image."});
  f("imagePullSecret", x.image_pull_secret, {.doc = "Name of the secret used to pull the image."});
  f("path", x.path, {.doc = "Path of the disk image inside the container image."});
  f("imagePullPolicy", x.image_pull_policy,
    {.doc = "Always, Never or IfNotPresent; defaults to Always for :latest or untagged images, else IfNotPresent."});
}

/// PersistentVolumeClaimVolumeSource as KubeVirt extends it (also the shape of a memory
/// dump volume): a claim in the VMI's namespace, optionally hot-pluggable.
struct persistent_volume_claim_disk_source {
  std::string claim_name;
  bool read_only = false;
  bool hotpluggable = false;
  unknown_fields unknown;
  bool operator==(const persistent_volume_claim_disk_source&) const = default;
};

template <class F>
void describe(F& f, persistent_volume_claim_disk_source& x) {
  f("claimName", x.claim_name, {.required = true, .doc = "Name of the claim in the VMI's namespace."});
  f("readOnly", x.read_only, {.doc = "Attach read-only."});
  f("hotpluggable", x.hotpluggable, {.doc = "The volume can be plugged and unplugged while running."});
}

/// DataVolumeSource: a CDI DataVolume (and the claim of the same name).
struct data_volume_source {
  std::string name;
  bool hotpluggable = false;
  unknown_fields unknown;
  bool operator==(const data_volume_source&) const = default;
};

template <class F>
void describe(F& f, data_volume_source& x) {
  f("name", x.name, {.required = true, .doc = "Name of the DataVolume and its claim."});
  f("hotpluggable", x.hotpluggable, {.doc = "The volume can be plugged and unplugged while running."});
}

/// EmptyDiskSource: a sparse scratch disk that lives as long as the VMI.
struct empty_disk_source {
  quantity capacity;
  unknown_fields unknown;
  bool operator==(const empty_disk_source&) const = default;
};

template <class F>
void describe(F& f, empty_disk_source& x) {
  f("capacity", x.capacity, {.required = true, .doc = "Size of the sparse disk, e.g. 2Gi."});
}

/// HostDisk: a disk image file on the node.
struct host_disk_source {
  std::string path;
  enum_field<host_disk_type> type;
  quantity capacity;
  std::optional<bool> shared;
  unknown_fields unknown;
  bool operator==(const host_disk_source&) const = default;
};

template <class F>
void describe(F& f, host_disk_source& x) {
  f("path", x.path, {.required = true, .doc = "Path of the image file on the node."});
  f("type", x.type, {.required = true, .doc = "Disk (must exist) or DiskOrCreate (created sparse if missing)."});
  f("capacity", x.capacity, {.doc = "Size of the image when it is created."});
  f("shared", x.shared, {.doc = "The path is shared between nodes."});
}

/// EphemeralVolumeSource: a claim used read-only under a copy-on-write overlay that is
/// thrown away with the VMI.
struct ephemeral_volume_source {
  std::optional<persistent_volume_claim_volume_source> persistent_volume_claim;
  unknown_fields unknown;
  bool operator==(const ephemeral_volume_source&) const = default;
};

template <class F>
void describe(F& f, ephemeral_volume_source& x) {
  f("persistentVolumeClaim", x.persistent_volume_claim, {.doc = "The claim under the overlay."});
}

/// CloudInitNoCloudSource and CloudInitConfigDriveSource (the same fields): user data and
/// network data, inline, base64-encoded, or from a secret.
struct cloud_init_source {
  std::optional<name_reference> secret_ref;
  std::string user_data_base64;
  std::string user_data;
  std::optional<name_reference> network_data_secret_ref;
  std::string network_data_base64;
  std::string network_data;
  unknown_fields unknown;
  bool operator==(const cloud_init_source&) const = default;
};

template <class F>
void describe(F& f, cloud_init_source& x) {
  f("secretRef", x.secret_ref, {.doc = "Secret holding the user data (key userdata or userData)."});
  f("userDataBase64", x.user_data_base64, {.doc = "User data, base64-encoded."});
  f("userData", x.user_data, {.doc = "User data, inline."});
  f("networkDataSecretRef", x.network_data_secret_ref,
    {.doc = "Secret holding the network data (key networkdata or networkData)."});
  f("networkDataBase64", x.network_data_base64, {.doc = "Network data, base64-encoded."});
  f("networkData", x.network_data, {.doc = "Network data, inline."});
}

/// ConfigMapVolumeSource as KubeVirt has it: a config map presented as a disk.
struct config_map_disk_source {
  std::string name;
  std::optional<bool> optional;
  std::string volume_label;
  unknown_fields unknown;
  bool operator==(const config_map_disk_source&) const = default;
};

template <class F>
void describe(F& f, config_map_disk_source& x) {
  f("name", x.name, {.doc = "Name of the config map."});
  f("optional", x.optional, {.doc = "Allow the config map or its keys to be missing."});
  f("volumeLabel", x.volume_label, {.doc = "Label of the disk in the guest, e.g. cidata, config-2 or OEMDRV."});
}

/// SecretVolumeSource as KubeVirt has it: a secret presented as a disk.
struct secret_disk_source {
  std::string secret_name;
  std::optional<bool> optional;
  std::string volume_label;
  unknown_fields unknown;
  bool operator==(const secret_disk_source&) const = default;
};

template <class F>
void describe(F& f, secret_disk_source& x) {
  f("secretName", x.secret_name, {.doc = "Name of the secret."});
  f("optional", x.optional, {.doc = "Allow the secret or its keys to be missing."});
  f("volumeLabel", x.volume_label, {.doc = "Label of the disk in the guest, e.g. cidata, config-2 or OEMDRV."});
}

/// ServiceAccountVolumeSource: a service account's token and CA presented as a disk.
struct service_account_disk_source {
  std::string service_account_name;
  unknown_fields unknown;
  bool operator==(const service_account_disk_source&) const = default;
};

template <class F>
void describe(F& f, service_account_disk_source& x) {
  f("serviceAccountName", x.service_account_name, {.doc = "Name of the service account."});
}

/// DownwardAPIVolumeSource: facts about the VMI's pod presented as a disk. The file list
/// has core/v1's DownwardAPIVolumeFile shape and is carried as JSON.
struct downward_api_disk_source {
  std::vector<json> fields;
  std::string volume_label;
  unknown_fields unknown;
  bool operator==(const downward_api_disk_source&) const = default;
};

template <class F>
void describe(F& f, downward_api_disk_source& x) {
  f("fields", x.fields, {.doc = "Files to create (core/v1 DownwardAPIVolumeFile)."});
  f("volumeLabel", x.volume_label, {.doc = "Label of the disk in the guest."});
}

/// SysprepSource: a Windows answer file (autounattend.xml) from a secret or config map.
struct sysprep_source {
  std::optional<name_reference> secret;
  std::optional<name_reference> config_map;
  unknown_fields unknown;
  bool operator==(const sysprep_source&) const = default;
};

template <class F>
void describe(F& f, sysprep_source& x) {
  f("secret", x.secret, {.doc = "Secret holding autounattend.xml."});
  f("configMap", x.config_map, {.doc = "Config map holding autounattend.xml."});
}

/// ContainerPathVolumeSource: a path of the launcher pod shared with the guest (virtiofs).
struct container_path_source {
  std::string path;
  std::optional<bool> read_only;
  unknown_fields unknown;
  bool operator==(const container_path_source&) const = default;
};

template <class F>
void describe(F& f, container_path_source& x) {
  f("path", x.path, {.required = true, .doc = "Path in the launcher pod; must be a volume mount of the compute container."});
  f("readOnly", x.read_only, {.doc = "Share read-only; defaults to true."});
}

/// Volume (kubevirt.io/v1, not core/v1): a name plus exactly one source.
struct vmi_volume {
  std::string name;
  std::optional<host_disk_source> host_disk;
  std::optional<persistent_volume_claim_disk_source> persistent_volume_claim;
  std::optional<cloud_init_source> cloud_init_no_cloud;
  std::optional<cloud_init_source> cloud_init_config_drive;
  std::optional<sysprep_source> sysprep;
  std::optional<container_disk_source> container_disk;
  std::optional<ephemeral_volume_source> ephemeral;
  std::optional<empty_disk_source> empty_disk;
  std::optional<data_volume_source> data_volume;
  std::optional<config_map_disk_source> config_map;
  std::optional<secret_disk_source> secret;
  std::optional<downward_api_disk_source> downward_api;
  std::optional<service_account_disk_source> service_account;
  std::optional<empty_object> downward_metrics;
  std::optional<persistent_volume_claim_disk_source> memory_dump;
  std::optional<container_path_source> container_path;
  unknown_fields unknown;
  bool operator==(const vmi_volume&) const = default;
};

template <class F>
void describe(F& f, vmi_volume& x) {
  f("name", x.name, {.required = true, .doc = "Volume name, a DNS label unique within the VMI; disks refer to it."});
  f("hostDisk", x.host_disk, {.doc = "A disk image file on the node."});
  f("persistentVolumeClaim", x.persistent_volume_claim, {.doc = "A claim in the VMI's namespace."});
  f("cloudInitNoCloud", x.cloud_init_no_cloud, {.doc = "cloud-init data as a NoCloud disk (label cidata)."});
  f("cloudInitConfigDrive", x.cloud_init_config_drive, {.doc = "cloud-init data as a config drive (label config-2)."});
  f("sysprep", x.sysprep, {.doc = "A Windows sysprep answer file."});
  f("containerDisk", x.container_disk, {.doc = "A disk image inside a container image; changes are lost on restart."});
  f("ephemeral", x.ephemeral, {.doc = "A claim under a throw-away copy-on-write overlay."});
  f("emptyDisk", x.empty_disk, {.doc = "A sparse scratch disk that lives as long as the VMI."});
  f("dataVolume", x.data_volume, {.doc = "A CDI DataVolume."});
  f("configMap", x.config_map, {.doc = "A config map presented as a disk."});
  f("secret", x.secret, {.doc = "A secret presented as a disk."});
  f("downwardAPI", x.downward_api, {.doc = "Facts about the pod presented as a disk."});
  f("serviceAccount", x.service_account, {.doc = "A service account presented as a disk; at most one per VMI."});
  f("downwardMetrics", x.downward_metrics, {.doc = "A small disk with host and guest metrics (vhostmd format)."});
  f("memoryDump", x.memory_dump, {.doc = "A claim that receives a memory dump of the guest."});
  f("containerPath", x.container_path, {.doc = "A path of the launcher pod shared with the guest."});
}

/// How many sources `v` has (exactly one is valid).
inline std::size_t source_count(const vmi_volume& v) {
  std::size_t n = 0;
  for (bool set : {v.host_disk.has_value(), v.persistent_volume_claim.has_value(), v.cloud_init_no_cloud.has_value(),
                   v.cloud_init_config_drive.has_value(), v.sysprep.has_value(), v.container_disk.has_value(),
                   v.ephemeral.has_value(), v.empty_disk.has_value(), v.data_volume.has_value(), v.config_map.has_value(),
                   v.secret.has_value(), v.downward_api.has_value(), v.service_account.has_value(),
                   v.downward_metrics.has_value(), v.memory_dump.has_value(), v.container_path.has_value()})
    n += set ? 1 : 0;
  return n;
}

} // namespace podvisor::kube::api
