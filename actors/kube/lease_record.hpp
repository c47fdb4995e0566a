#pragma once
// The coordination.k8s.io/v1 Lease as a leader-election lock, the way client-go's
// resourcelock.LeaseLock reads and writes it: spec.holderIdentity,
// leaseDurationSeconds, acquireTime, renewTime (metav1.MicroTime) and leaseTransitions.
// Pure functions; the decisions over time live in the leader elector.

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace podvisor::actors::kube {

/// The election-relevant part of a Lease (client-go's LeaderElectionRecord).
struct lease_record {
  std::string holder;
  std::int64_t lease_duration_seconds = 0;
  std::string acquire_time;
  std::string renew_time;
  std::int64_t transitions = 0;

  friend bool operator==(const lease_record&, const lease_record&) = default;
};

/// Reads spec (missing fields stay empty / zero).
lease_record read_lease_record(const nlohmann::json& lease);

/// A new Lease held by `identity` from `now` (leaseTransitions 0).
nlohmann::json new_lease(const std::string& namespace_, const std::string& name, const std::string& identity,
                         std::chrono::seconds lease_duration, std::chrono::system_clock::time_point now);

/// `current` (as read, keeping its resourceVersion for optimistic concurrency) changed so
/// that `identity` holds it at `now`: a renewal keeps acquireTime and leaseTransitions;
/// a takeover sets acquireTime = now and counts a transition.
nlohmann::json take_lease(const nlohmann::json& current, const std::string& identity,
                          std::chrono::seconds lease_duration, std::chrono::system_clock::time_point now);

/// `current` released as client-go does on shutdown: holderIdentity cleared,
/// leaseDurationSeconds 1, acquireTime = renewTime = now, transitions kept.
nlohmann::json release_lease(const nlohmann::json& current, std::chrono::system_clock::time_point now);

} // namespace podvisor::actors::kube
