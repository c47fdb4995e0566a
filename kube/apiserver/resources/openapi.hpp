#pragma once
// OpenAPI v3 documents, which kubectl needs for create/apply/replace (to learn that the
// server validates fields: an operation-level fieldValidation parameter on the kind's
// PATCH operation) and for `kubectl explain` (a components.schemas entry carrying
// x-kubernetes-group-version-kind, whose properties it walks).
//
//   GET /openapi/v3                 root(): {"paths": {"api/v1": {"serverRelativeURL": ...}}}
//   GET /openapi/v3/api/v1?hash=H   one document per served group-version
//
// Schemas are generated from the same `describe` definitions the codec uses; nested
// types are inlined, ObjectMeta is referenced as Kubernetes does. PATCH operations list
// json-patch, merge-patch and apply-patch bodies but not strategic-merge: kubectl would
// then compute strategic patches from these schemas, which lack the patch-merge keys.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kube/apiserver/resources/registry.hpp"

namespace podvisor::kube::apiserver {

/// The components.schemas name of ObjectMeta.
inline constexpr std::string_view object_meta_schema_name = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// One rendered group-version document.
struct openapi_document {
  std::string path;   ///< "api/v1", "apis/kubevirt.io/v1" (no leading slash)
  json document;      ///< the OpenAPI v3 document
  std::string body;   ///< `document` serialized: what GET sends
  std::string hash;   ///< content hash of `body` (hex), the root's cache buster
};

/// Every document for one registry snapshot. Rendering costs some milliseconds, so the
/// server keeps one index and rebuilds it when `generation` falls behind the registry's.
struct openapi_index {
  std::uint64_t generation = 0;
  std::vector<openapi_document> documents;

  /// GET /openapi/v3.
  json root() const;
  /// The document at "api/v1" / "apis/G/V" (a leading '/' is ignored), or nullptr.
  const openapi_document* find(std::string_view path) const;
};

/// Renders the documents of every served group-version.
openapi_index build_openapi(const registry_snapshot& snapshot);

/// The document of one group-version (its kinds' schemas and paths, plus the shared
/// meta schemas), or null when the group-version is not served.
json openapi_document_for(const registry_snapshot& snapshot, std::string_view group, std::string_view version);

/// The schema published for a kind: the entry's schema with ObjectMeta referenced and
/// x-kubernetes-group-version-kind set.
json published_kind_schema(const resource_entry& entry);

/// A reference to components.schemas[name].
json schema_ref(std::string_view name);

/// The paths and operations for `entries` (all of one group-version): collection, item,
/// cluster-wide list and subresource paths with get/put/patch/delete/post operations,
/// each carrying x-kubernetes-group-version-kind and x-kubernetes-action.
json openapi_paths(const std::vector<std::shared_ptr<const resource_entry>>& entries);

} // namespace podvisor::kube::apiserver
