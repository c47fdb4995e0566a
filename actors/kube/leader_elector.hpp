#pragma once
// The leader-elector actor (protocol: protocols/leader_elector.hpp): leader election on
// a coordination.k8s.io/v1 Lease with client-go's semantics, as KubeVirt's
// virt-controller uses it.
//
//              every retry_period: GET the lease
//   ┌─────────────┐  free (no holder), expired, or ours ──► PUT (create if missing)
//   │  CANDIDATE  │◄─────────────────────────────────────┐      │ success
//   └─────────────┘  held by another and not expired:     │      ▼
//        ▲           wait for the next tick               │ ┌──────────┐ every retry_period:
//        │                                                │ │  LEADER  │ GET + PUT renewTime
//        │  renews failing for longer than renew_deadline,│ └──────────┘
//        └──────── or another holder observed ◄───────────┘      │ release request
//          (subscriber told: leader = false)                     ▼
//                                                    PUT holderIdentity "" → reply, quit
//
// Expiry is judged as client-go does, by *local* observation, never by comparing our
// clock with the renewTime another node wrote: when the lease record (holder, times,
// transitions) changes, we note our own monotonic time; the lease is expired when it has
// not changed for its leaseDurationSeconds since. So clock skew between replicas does not
// matter, and a new candidate waits one full lease duration after it first saw the
// current record before taking over — the leader's renew_deadline must be shorter than
// the lease duration, so that an old leader stops acting before a new one starts.
//
// Timers use the actor clock (CAF's test coordinator can move it); timestamps written
// into the lease use the injected wall clock.

#include <chrono>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/kube/api_executor.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/leader_elector.hpp"

namespace podvisor::actors::kube {

/// How a leader elector behaves (client-go's LeaderElectionConfig; KubeVirt's defaults).
struct leader_elector_config {
  std::string lease_namespace;
  std::string lease_name;
  /// This replica's identity (pod name, or hostname + random suffix); must be unique.
  std::string identity;
  /// How long a lease is valid without renewal (leaseDurationSeconds).
  std::chrono::seconds lease_duration{15};
  /// A leader that could not renew for this long steps down (< lease_duration).
  std::chrono::nanoseconds renew_deadline = std::chrono::seconds{10};
  /// Pause between attempts to acquire or renew.
  std::chrono::nanoseconds retry_period = std::chrono::seconds{2};
  /// Wall clock for acquireTime / renewTime; nullptr → the real clock.
  const podvisor::clock* clock = nullptr;
};

/// Spawns an elector that competes at once and tells `subscriber` about every gain and
/// loss of leadership.
protocols::leader_elector_actor spawn_leader_elector(caf::actor_system& sys, leader_elector_config config,
                                                     std::shared_ptr<podvisor::kube::client::api_client> client,
                                                     std::shared_ptr<api_executor> executor,
                                                     protocols::leadership_subscriber_actor subscriber);

} // namespace podvisor::actors::kube
