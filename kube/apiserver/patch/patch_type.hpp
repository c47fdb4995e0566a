#pragma once
// The four PATCH content types Kubernetes accepts, the kind being patched, and the
// Content-Type check that answers 415 the way kube-apiserver does.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "kube/api/enum_table.hpp"
#include "kube/apiserver/patch/patch_error.hpp"

namespace podvisor::kube::apiserver {

/// types.PatchType.
enum class patch_type {
  json_patch,            ///< RFC 6902 (application/json-patch+json)
  merge_patch,           ///< RFC 7386 (application/merge-patch+json)
  strategic_merge_patch, ///< Kubernetes' own, built-in kinds only
  apply_patch,           ///< server-side apply (application/apply-patch+yaml)
};

/// The kind a patch is applied to.
struct patch_kind {
  std::string group;   ///< "" for the core group
  std::string version; ///< "v1"
  std::string kind;    ///< "Pod", "VirtualMachineInstance"
  /// True for kinds the server implements itself (core/v1, coordination, apiextensions):
  /// they accept strategic merge patches and get merge keys for their lists. False for
  /// kinds defined by a CustomResourceDefinition (kubevirt.io), which answer 415.
  bool builtin = false;

  /// "v1" or "kubevirt.io/v1".
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  /// "Pod" or "VirtualMachineInstance.kubevirt.io", as Invalid messages name a kind.
  std::string qualified_kind() const { return group.empty() ? kind : kind + "." + group; }
};

/// The media types a kind accepts, in the order the API server lists them.
std::vector<patch_type> accepted_patch_types(const patch_kind& kind);

/// The 415 message for `kind`, e.g. for a custom kind exactly: "the body of the request
/// was in an unknown format - accepted media types include: application/json-patch+json,
/// application/merge-patch+json, application/apply-patch+yaml".
std::string unsupported_media_type_message(const patch_kind& kind);

/// Maps a Content-Type header to a patch type: parameters after ';' are dropped
/// ("application/merge-patch+json; charset=utf-8"), surrounding blanks ignored and the
/// comparison is case-insensitive (media types are, per RFC 9110; Go compares exactly).
/// Anything else, and strategic merge for a custom kind, is 415 UnsupportedMediaType.
patch_result<patch_type> parse_patch_type(std::string_view content_type, const patch_kind& kind);

} // namespace podvisor::kube::apiserver

template <>
struct podvisor::kube::api::enum_table<podvisor::kube::apiserver::patch_type> {
  // The wire spelling of each patch type is its media type.
  using e = podvisor::kube::apiserver::patch_type;
  static constexpr std::array entries = {
    enum_entry{e::json_patch, "application/json-patch+json"},
    enum_entry{e::merge_patch, "application/merge-patch+json"},
    enum_entry{e::strategic_merge_patch, "application/strategic-merge-patch+json"},
    enum_entry{e::apply_patch, "application/apply-patch+yaml"},
  };
};
