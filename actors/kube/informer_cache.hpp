#pragma once
// An informer's cache: the objects of one resource and scope by key ("namespace/name"),
// plus declared indexes (object → index values, e.g. its node name or owner's uid).
//
// Read path, and why: controllers read informer caches on every reconcile (KubeVirt's
// controllers call GetByKey and ByIndex constantly). A request/response round trip to the
// informer actor per read would cost a scheduler hop and force every reader into
// asynchronous code; so the cache is shared. Exactly one writer (the informer actor)
// mutates it under an exclusive lock; any thread reads through the const interface under
// a shared lock, as client-go's thread-safe store does with an RWMutex. Objects are
// immutable shared documents (protocols::kube_object), so a reader keeps what it got
// after the lock is released, without copying. The informer also answers get/index
// requests (protocols/informer.hpp) for actors that prefer messages.
//
// Consistency: the informer updates the cache before it delivers the matching event, so
// a reader may see a newer state than the event it is handling (also as in client-go).

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "protocols/kube_object.hpp"

namespace podvisor::actors::kube {

/// The values under which an object is indexed; empty → not in this index.
using index_function = std::function<std::vector<std::string>(const nlohmann::json& object)>;

/// Named indexes; the cache always adds "namespace".
using index_set = std::map<std::string, index_function>;

/// The index every cache has: metadata.namespace.
inline constexpr std::string_view namespace_index_name = "namespace";

/// Indexes by the string at a dotted path ("spec.nodeName", "status.nodeName"); absent
/// or empty values are not indexed.
index_function field_index(std::string dotted_path);
/// Indexes by the uid of each ownerReference.
index_function owner_uid_index();
/// Indexes by the value of a label.
index_function label_index(std::string label);

/// Orders resourceVersions as the decimal numbers every known server uses (shorter is
/// smaller, then lexicographic); only for ordering deliveries, never for correctness.
bool resource_version_less(std::string_view a, std::string_view b);

/// The cache. Thread safety: const members from any thread; non-const members from the
/// owning informer only (one writer).
class informer_cache {
public:
  using object_map = std::unordered_map<std::string, protocols::kube_object>;

  explicit informer_cache(index_set indexes = {});
  informer_cache(const informer_cache&) = delete;
  informer_cache& operator=(const informer_cache&) = delete;

  // -- reading (any thread) ------------------------------------------------------------

  /// The object with this key, or the null object.
  protocols::kube_object get(std::string_view key) const;
  /// Every object, sorted by key.
  std::vector<protocols::kube_object> list() const;
  /// The objects whose index `index` has `value`, sorted by key; empty for an unknown
  /// index (see has_index).
  std::vector<protocols::kube_object> by_index(std::string_view index, std::string_view value) const;
  /// The keys indexed under `value`, sorted.
  std::vector<std::string> keys_by_index(std::string_view index, std::string_view value) const;
  bool has_index(std::string_view index) const;
  std::size_t size() const;
  /// True once the first full list is in the cache.
  bool synced() const;
  /// The resourceVersion the cache reflects (the list's, then each event's or bookmark's).
  std::string resource_version() const;

  // -- writing (the informer only) -----------------------------------------------------

  /// Inserts or replaces the object under `key`; returns the previous one (or null).
  protocols::kube_object upsert(const std::string& key, protocols::kube_object object);
  /// Removes the object; returns it (or null when absent).
  protocols::kube_object remove(const std::string& key);
  void set_synced();
  void set_resource_version(std::string rv);
  /// The objects, without locking: only for the writer, whose reads cannot race with
  /// its own writes (what relist diffing uses).
  const object_map& objects_for_writer() const { return objects_; }

private:
  using index_map = std::unordered_map<std::string, std::set<std::string>>;

  void index_add(const std::string& key, const nlohmann::json& object);
  void index_remove(const std::string& key, const nlohmann::json& object);

  mutable std::shared_mutex mutex_;
  object_map objects_;
  index_set functions_;
  std::map<std::string, index_map, std::less<>> indexes_;
  bool synced_ = false;
  std::string resource_version_;
};

} // namespace podvisor::actors::kube
