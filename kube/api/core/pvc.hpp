#pragma once
// core/v1 PersistentVolumeClaim: a request for storage that a pod (or a VM disk) mounts.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/core/common.hpp"
#include "kube/api/core/label_selector.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/meta.hpp"

namespace podvisor::kube::api {

/// core/v1 PersistentVolumeAccessMode.
enum class persistent_volume_access_mode { read_write_once, read_only_many, read_write_many, read_write_once_pod };

template <>
struct enum_table<persistent_volume_access_mode> {
  static constexpr std::array entries = {
    enum_entry{persistent_volume_access_mode::read_write_once, "ReadWriteOnce"},
    enum_entry{persistent_volume_access_mode::read_only_many, "ReadOnlyMany"},
    enum_entry{persistent_volume_access_mode::read_write_many, "ReadWriteMany"},
    enum_entry{persistent_volume_access_mode::read_write_once_pod, "ReadWriteOncePod"},
  };
};

/// core/v1 PersistentVolumeMode.
enum class persistent_volume_mode { block, filesystem };

template <>
struct enum_table<persistent_volume_mode> {
  static constexpr std::array entries = {
    enum_entry{persistent_volume_mode::block, "Block"},
    enum_entry{persistent_volume_mode::filesystem, "Filesystem"},
  };
};

/// core/v1 PersistentVolumeClaimPhase.
enum class persistent_volume_claim_phase { pending, bound, lost };

template <>
struct enum_table<persistent_volume_claim_phase> {
  static constexpr std::array entries = {
    enum_entry{persistent_volume_claim_phase::pending, "Pending"},
    enum_entry{persistent_volume_claim_phase::bound, "Bound"},
    enum_entry{persistent_volume_claim_phase::lost, "Lost"},
  };
};

/// core/v1 VolumeResourceRequirements.
struct volume_resource_requirements {
  resource_list limits;
  resource_list requests;
  unknown_fields unknown;
  bool operator==(const volume_resource_requirements&) const = default;
};

template <class F>
void describe(F& f, volume_resource_requirements& x) {
  f("limits", x.limits, {.doc = "Most storage the volume may grow to."});
  f("requests", x.requests, {.doc = "Least storage the volume must have."});
}

/// core/v1 PersistentVolumeClaimSpec.
struct persistent_volume_claim_spec {
  std::vector<enum_field<persistent_volume_access_mode>> access_modes;
  std::optional<label_selector> selector;
  volume_resource_requirements resources;
  std::string volume_name;
  /// Absent means "the default class"; "" means "no class" — hence optional.
  std::optional<std::string> storage_class_name;
  std::optional<enum_field<persistent_volume_mode>> volume_mode;
  unknown_fields unknown; // dataSource, dataSourceRef, volumeAttributesClassName
  bool operator==(const persistent_volume_claim_spec&) const = default;
};

template <class F>
void describe(F& f, persistent_volume_claim_spec& x) {
  f("accessModes", x.access_modes, {.doc = "Ways the volume must be mountable."});
  f("selector", x.selector, {.doc = "Labels of pre-provisioned volumes to bind to."});
  f("resources", x.resources, {.doc = "Storage requested (requests.storage)."});
  f("volumeName", x.volume_name, {.doc = "Persistent volume the claim is bound to."});
  f("storageClassName", x.storage_class_name, {.doc = "Storage class to provision from; empty string for none."});
  f("volumeMode", x.volume_mode, {.doc = "Filesystem (default) or Block."});
}

/// core/v1 PersistentVolumeClaimStatus.
struct persistent_volume_claim_status {
  enum_field<persistent_volume_claim_phase> phase;
  std::vector<enum_field<persistent_volume_access_mode>> access_modes;
  resource_list capacity;
  unknown_fields unknown; // conditions, allocatedResources, ...
  bool operator==(const persistent_volume_claim_status&) const = default;
};

template <class F>
void describe(F& f, persistent_volume_claim_status& x) {
  f("phase", x.phase, {.doc = "Pending, Bound or Lost."});
  f("accessModes", x.access_modes, {.doc = "Access modes of the bound volume."});
  f("capacity", x.capacity, {.doc = "Actual size of the bound volume."});
}

/// core/v1 PersistentVolumeClaim.
struct persistent_volume_claim {
  std::string api_version = "v1";
  std::string kind = "PersistentVolumeClaim";
  object_meta metadata;
  persistent_volume_claim_spec spec;
  persistent_volume_claim_status status;
  unknown_fields unknown;
  bool operator==(const persistent_volume_claim&) const = default;
};

template <class F>
void describe(F& f, persistent_volume_claim& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: PersistentVolumeClaim."});
  f("metadata", x.metadata, {.doc = "Standard object metadata."});
  f("spec", x.spec, {.doc = "Storage requested."});
  f("status", x.status, {.doc = "Observed state of the claim."});
}

template <>
struct kind_info<persistent_volume_claim> {
  static constexpr kind_descriptor value{.group = "",
                                         .version = "v1",
                                         .kind = "PersistentVolumeClaim",
                                         .list_kind = "PersistentVolumeClaimList",
                                         .plural = "persistentvolumeclaims",
                                         .singular = "persistentvolumeclaim",
                                         .short_names = {"pvc"},
                                         .namespaced = true,
                                         .has_status = true,
                                         .api_version_ = "v1"};
};

} // namespace podvisor::kube::api
