#pragma once
// What changed between an informer's cache and a fresh list: the differences a relist
// delivers after a 410 or a broken watch, instead of re-announcing every object. A pure
// function, so that the cases (nothing changed, added, updated, deleted, deleted and
// re-created under the same name) are table-tested without actors.

#include <string>
#include <vector>

#include "actors/kube/informer_cache.hpp"
#include "protocols/kube_object.hpp"

namespace podvisor::actors::kube {

/// One change of one key: added (old null), updated (both set), deleted (new null).
struct object_change {
  std::string key;
  protocols::kube_object old_object;
  protocols::kube_object new_object;
  /// A deletion inferred from a list (the object is simply absent): old_object is the
  /// last state the cache saw, not the state at deletion.
  bool final_state_unknown = false;

  friend bool operator==(const object_change&, const object_change&) = default;
};

/// The changes that turn `cached` into `listed`:
///   - a listed object with a key not cached → added;
///   - a listed object whose resourceVersion differs from the cached one → updated,
///     unless its uid differs too: then the object was deleted and re-created under the
///     same name while nobody watched, which is reported as deleted (final state
///     unknown) followed by added, so that a subscriber never mistakes a new object for
///     a new version of the old one;
///   - a cached key that is not listed → deleted (final state unknown);
///   - same resourceVersion → nothing (the object did not change).
/// Order: additions and updates by resourceVersion (the order in which they happened),
/// then deletions, which happened at versions nobody saw, sorted by key.
/// Listed objects without a name are skipped; for duplicate keys the last one counts.
std::vector<object_change> relist_diff(const informer_cache::object_map& cached,
                                       const std::vector<protocols::kube_object>& listed);

} // namespace podvisor::actors::kube
