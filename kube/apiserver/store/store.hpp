#pragma once
// The storage engine of the embedded API server: objects as JSON text keyed by
// (resource, namespace, name), one global resourceVersion counter, a retained event
// history for watches, all persisted in SQLite (see persistence.hpp) and served from
// memory.
//
// Write path (create, update, remove), serialized by one writer mutex:
//   parse (before the lock) → check preconditions against memory → stamp
//   metadata.resourceVersion = counter + 1 → append the version to the SQLite log in one
//   transaction (committed before the call returns: see `durability`) → publish to
//   memory (brief exclusive lock) → push the event onto every matching watcher queue
//   (never blocks: slow watchers are cut off) → release the lock → wake waiting watchers.
// Reads (get, list, watch registration) take a shared lock and never touch SQLite.
//
// Memory: objects stay compact JSON text (one shared string per version, shared by the
// current state, the history and the watcher queues), never nlohmann trees.
//
// Resource versions: one counter for every resource; a fresh store starts at 1 so that
// the first write gets 2 and no RV the store hands out is ever "0". A restart continues
// from the last RV written; RVs are never reused.
//
// Watch semantics (kube-apiserver's watch cache, with one history for all resources):
//   from_rv 0 ("" or "0" on the wire) → a synthetic ADDED for every current object,
//     then live changes;
//   from_rv N, N ≥ oldest retained RV − 1 → every change with RV > N in order, then live;
//   from_rv N older than that → `gone` "too old resource version: N (oldest − 1)";
//   from_rv N beyond the current RV → nothing until the counter passes N, then changes
//     with RV > N (kube-apiserver's watch cache does the same: it filters by RV and waits).

#include <atomic>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/apiserver/store/object.hpp"
#include "kube/apiserver/store/persistence.hpp"
#include "kube/apiserver/store/result.hpp"
#include "kube/apiserver/store/watch_event.hpp"
#include "kube/apiserver/store/watch_stream.hpp"

namespace podvisor::kube::apiserver {

/// How to open a store.
struct store_options {
  /// Directory for store.db (created if missing).
  std::filesystem::path data_dir{};
  /// Events retained for watch resumption, across all resources (kube-apiserver keeps a
  /// window per resource; one global window is simpler and as good for one server).
  std::size_t history_size = 10'000;
  /// Live events a watcher may leave unread before it is terminated.
  std::size_t watch_queue_capacity = 4096;
  /// What an acknowledged write survives; see `durability`.
  durability sync = durability::process_crash;
};

/// The result of `list`: the matching objects ordered by (namespace, name), and the RV
/// the list is consistent with (a watch from it misses nothing and repeats nothing).
struct list_result {
  std::vector<stored_object> items;
  std::uint64_t resource_version = 0;
};

/// The result of `update`: the stored object, and whether anything changed (a no-op
/// update keeps the RV and produces no event).
struct update_result {
  stored_object object;
  bool changed = false;
};

/// What to watch.
struct watch_request {
  std::string resource{};
  /// nullopt: every namespace (and cluster-scoped objects, whose namespace is "").
  std::optional<std::string> namespace_{};
  /// 0: start with the current state; N: changes after N (see the header comment).
  std::uint64_t from_rv = 0;
  /// Live events this watcher may leave unread; 0 takes `store_options::watch_queue_capacity`.
  std::size_t queue_capacity = 0;
};

/// The store.
/// Thread safety: every member function may be called concurrently from any thread.
/// Writes are serialized; reads run in parallel with each other and with the slow part of
/// writes (the SQLite commit). Destroying the store while calls are in flight is not
/// allowed; watch streams may outlive it (they report `closed`, reason "store closed").
class store {
public:
  /// Opens (or creates) the store in `options.data_dir` and loads every object and the
  /// retained history. Fails with io_error if the directory is unusable or another store
  /// holds it.
  static store_result<std::unique_ptr<store>> open(store_options options);

  store(const store&) = delete;
  store& operator=(const store&) = delete;
  ~store();

  /// The object under `key`, or not_found.
  store_result<stored_object> get(const object_key& key) const;

  /// Every object of `resource`, or of `resource` in `namespace_` when given.
  list_result list(std::string_view resource,
                   std::optional<std::string_view> namespace_ = std::nullopt) const;

  /// Stores a new object. `text` must be a JSON object whose metadata.name (and
  /// metadata.namespace, when present) match `key`; the store sets
  /// metadata.resourceVersion. Fails with already_exists, invalid or io_error.
  store_result<stored_object> create(const object_key& key, std::string_view text);

  /// `create` for an already parsed object (what the HTTP layer has after decoding,
  /// defaulting and validating it): saves parsing the text again. The tree must not nest
  /// deeper than kube/api's JSON depth limit (it is serialized recursively).
  store_result<stored_object> create_parsed(const object_key& key, nlohmann::json doc);

  /// Replaces an existing object. Fails with not_found, conflict (a precondition does not
  /// hold: the message is Kubernetes' "the object has been modified; ..."), invalid or
  /// io_error. If `text` equals the stored object apart from metadata.resourceVersion
  /// (byte for byte after canonical serialization) nothing is written: the result has
  /// `changed == false` and the current RV.
  store_result<update_result> update(const object_key& key, std::string_view text,
                                     const preconditions& pre = {});

  /// `update` for an already parsed object; see `create_parsed`.
  store_result<update_result> update_parsed(const object_key& key, nlohmann::json doc,
                                            const preconditions& pre = {});

  /// Removes an object; returns its final state stamped with the RV of the deletion (the
  /// object of the DELETED event). Fails with not_found, conflict or io_error.
  store_result<stored_object> remove(const object_key& key, const preconditions& pre = {});

  /// Starts a watch; fails with gone when `from_rv` is older than the retained history,
  /// or invalid for an empty resource.
  store_result<std::shared_ptr<watch_stream>> watch(const watch_request& request);

  /// The last RV handed out.
  std::uint64_t current_rv() const { return rv_.load(std::memory_order_acquire); }

  /// The last RV whose event has been offered to every watcher queue. A watcher that read
  /// this value and then finds its queue empty has seen every event up to it, so this is
  /// what a bookmark may carry (`current_rv` may be ahead of a queue by one event).
  std::uint64_t published_rv() const { return published_rv_.load(std::memory_order_acquire); }

  /// The number of stored objects.
  std::size_t size() const;

  /// The oldest RV a watch can resume from (older ones get `gone`).
  std::uint64_t oldest_resumable_rv() const;

private:
  store(store_options options, std::unique_ptr<persistence> db);

  std::uint64_t oldest_resumable_rv_locked() const;

  /// Queues that got an event while their consumer was waiting. Declared before the
  /// writer lock, it wakes them after the lock is released, so that the next write need
  /// not wait for the wake-up syscalls (one per waiting watcher).
  struct pending_wakes {
    std::vector<std::shared_ptr<detail::watch_queue>> queues;
    pending_wakes() = default;
    pending_wakes(const pending_wakes&) = delete;
    pending_wakes& operator=(const pending_wakes&) = delete;
    ~pending_wakes();
  };

  store_result<stored_object> commit(event_type type, const object_key& key, std::string index,
                                     std::string text, const stored_object* previous,
                                     pending_wakes& wake);
  void publish(const event_ptr& event, pending_wakes& wake);
  static store_result<bool> check(const stored_object& current, const preconditions& pre);

  const store_options options_;
  std::unique_ptr<persistence> db_; // used only under writer_mu_

  // Writers hold writer_mu_ for the whole operation. state_mu_ guards objects_, history_
  // and the value of rv_ as seen with them; watchers_mu_ guards watchers_. Order:
  // writer_mu_ → state_mu_ → watchers_mu_ → a watch_queue's own mutex.
  std::mutex writer_mu_;
  mutable std::shared_mutex state_mu_;
  std::map<std::string, stored_object, std::less<>> objects_; // by index_key
  std::deque<event_ptr> history_;                              // oldest first
  std::atomic<std::uint64_t> rv_{0};
  std::atomic<std::uint64_t> published_rv_{0};
  std::mutex watchers_mu_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<detail::watch_queue>>> watchers_;
};

} // namespace podvisor::kube::apiserver
