#pragma once
// Validation of metav1.ObjectMeta on create, as apimachinery's ValidateObjectMeta does it
// (pkg/api/validation/objectmeta.go): name or generateName, name and namespace shapes,
// generation, labels, annotations (keys and total size), owner references, finalizers.
// Paths and messages match the Go code, including its habit of reporting label and
// owner-reference problems at the map/list path rather than per entry.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "kube/api/field_error.hpp"
#include "kube/api/meta.hpp"
#include "kube/api/validation/field_path.hpp"

namespace podvisor::kube::api {

/// Total size of all annotation keys and values (TotalAnnotationSizeLimitB, 256 KiB).
inline constexpr std::size_t total_annotation_size_limit = 256 * 1024;

/// Which rule an object's name follows.
enum class name_rule {
  dns1123_subdomain, ///< most kinds, custom resources included
  dns1123_label,     ///< namespaces, services
};

/// How an object's metadata is checked.
struct object_meta_options {
  /// Namespaced kinds need a namespace (an RFC 1123 label); cluster-scoped ones must not
  /// have one. The API server fills the namespace from the URL before validating, as
  /// Kubernetes does, so a namespaced object without one is an error here.
  bool namespaced = true;
  name_rule names = name_rule::dns1123_subdomain;
};

/// Validates labels: each key a qualified name, each value a label value. Errors carry the
/// map's path and the offending key or value, as ValidateLabels does.
void validate_labels(const std::map<std::string, std::string>& labels, const field_path& path,
                     field_errors& errors);

/// Validates annotations: keys are qualified names once lower-cased; keys and values
/// together at most 256 KiB.
void validate_annotations(const std::map<std::string, std::string>& annotations,
                          const field_path& path, field_errors& errors);

/// Validates owner references: apiVersion has a version, kind/name/uid are set, core/v1
/// Event is never an owner, at most one reference is the controller.
void validate_owner_references(const std::vector<owner_reference>& refs, const field_path& path,
                               field_errors& errors);

/// Validates finalizer names (qualified names) and the orphan/foregroundDeletion conflict.
void validate_finalizers(const std::vector<std::string>& finalizers, const field_path& path,
                         field_errors& errors);

/// Validates `meta` as the metadata of a new object at `path` (normally "metadata").
/// A name is required unless generateName is set; a generateName is checked as a name
/// prefix (a trailing '-' allowed).
field_errors validate_object_meta(const object_meta& meta, const object_meta_options& options = {},
                                  const field_path& path = field_path{"metadata"});

} // namespace podvisor::kube::api
