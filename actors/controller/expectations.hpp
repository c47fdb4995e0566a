#pragma once
// Controller expectations (KubeVirt's and the ReplicaSet controller's
// ControllerExpectations): what a controller has asked the API server to create or
// delete for a key and not yet seen come back through its informer.
//
// Why: an informer's cache lags behind the controller's own writes. Right after a sync
// created a pod for VMI x, the next sync of x (for another event) may still find no pod
// in the cache and would create a second one. So before creating, the sync expects one
// creation for x; the pod informer's add event lowers it (creation_observed); while an
// expectation is unsatisfied the sync does not act on the cache's view of the pods. A
// failed create lowers it at once (the pod will never be observed). Expectations expire
// after `ttl` (5 minutes, as KubeVirt's ExpectationsTimeout): a lost watch event must not
// block a key forever.
//
// Expectations live in memory only; across a restart "never twice" comes from the API
// itself (a deterministic pod name, see actors/controller/launcher_pod.hpp, makes a
// second create fail with AlreadyExists).
//
// Thread-safe (one mutex): the sync raises expectations on an executor thread while the
// controller actor lowers them from informer events.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"

namespace podvisor::actors::controller {

/// The expectations of one controller, by key.
class expectations {
public:
  using duration = std::chrono::nanoseconds;

  explicit expectations(const podvisor::clock& clock, duration ttl = std::chrono::minutes{5});

  /// Sets (replaces) what `key` waits for: `adds` creations and `dels` deletions, from now.
  void expect(const std::string& key, std::int64_t adds, std::int64_t dels);
  /// Adds to what `key` waits for (creating the record when there is none).
  void raise(const std::string& key, std::int64_t adds, std::int64_t dels);
  /// One creation seen (or one create that failed and will never be seen).
  void creation_observed(const std::string& key);
  /// One deletion seen (or one delete that failed).
  void deletion_observed(const std::string& key);
  /// True when the sync of `key` may trust the cache: no record, every expected
  /// creation and deletion observed, or the record expired.
  bool satisfied(const std::string& key) const;
  /// True when the record exists and is older than the ttl.
  bool expired(const std::string& key) const;
  /// Forgets `key` (its object was deleted).
  void remove(const std::string& key);

  /// Outstanding counts (0 when there is no record).
  std::int64_t pending_creations(const std::string& key) const;
  std::int64_t pending_deletions(const std::string& key) const;
  std::size_t size() const;

private:
  struct record {
    std::int64_t adds = 0;
    std::int64_t dels = 0;
    podvisor::clock::steady_time since{};
  };

  bool satisfied_locked(const std::string& key) const;

  const podvisor::clock& clock_;
  duration ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, record> records_;
};

} // namespace podvisor::actors::controller
