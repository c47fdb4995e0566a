#pragma once
// Which lists of a kind merge, and by which key: the `patchStrategy:"merge"` and
// `patchMergeKey` struct tags of the Kubernetes core/v1 types, for the fields Podvisor's
// core types have. Strategic merge patch and server-side apply read them; every list not
// listed here is replaced as a whole (patchStrategy replace, or none), as are the lists
// of custom kinds, whose CRDs carry no such tags.
//
// Paths are dotted member names with "[]" for "each element of the list":
// "spec.containers[].env" is the env list of every container.

#include <span>
#include <string_view>

namespace podvisor::kube::apiserver {

/// One list that merges instead of being replaced.
struct list_merge_rule {
  std::string_view path;
  /// The member identifying an element (patchMergeKey); empty for lists of scalars,
  /// which merge as sets (metadata.finalizers, spec.podCIDRs).
  std::string_view merge_key;
};

/// The merge rules of one kind.
class strategic_schema {
public:
  explicit strategic_schema(std::span<const list_merge_rule> kind_rules) : kind_rules_(kind_rules) {}

  /// The rule for the list at `path`, or nullptr when that list is replaced.
  const list_merge_rule* find(std::string_view path) const;

private:
  std::span<const list_merge_rule> kind_rules_;
};

/// The rules for `kind`. Every kind gets the ObjectMeta rules (finalizers as a set,
/// ownerReferences by uid); built-in kinds (Pod, Node, Namespace, PersistentVolumeClaim)
/// add their own. Custom kinds get only the ObjectMeta rules.
const strategic_schema& strategic_schema_for(std::string_view kind, bool builtin);

} // namespace podvisor::kube::apiserver
