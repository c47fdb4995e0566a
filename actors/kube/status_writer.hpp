#pragma once
// The status-writer actor: applies intended status changes to objects of one resource
// with optimistic concurrency (protocol: protocols/status_writer.hpp).
//
// One object's life in the writer:
//
//   change arrives ──► queued ──(no attempt running)──► ATTEMPT: GET, apply every
//        ▲                                               queued change in arrival order
//        │                                               to that read, PUT .../status
//        │                                               with the read resourceVersion
//        │               ┌── success ──► reply the written object to every included
//        │               │               change; start again if more arrived meanwhile
//        └───────────────┤
//                        ├── conflict / unavailable / timeout ──► backoff timer, then a
//                        │   new ATTEMPT with the same changes plus any that arrived
//                        │   (a fresh GET, the changes re-applied to it)
//                        └── other error, or attempts exhausted ──► reply the error
//
// Coalescing: changes compose, they do not replace each other. Every change sent while
// an attempt or a backoff is pending joins the next attempt and is applied after the
// earlier ones, to the same read, in one PUT. So a burst of N changes to one object
// costs a few writes instead of N, and no change is lost: each requester's reply is the
// object as written with its change (and the others) applied. A change whose function
// returns an error is left out of that write and its requester gets the error.
// Different objects are written independently and concurrently.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <nlohmann/json_fwd.hpp>

#include "actors/kube/api_executor.hpp"
#include "common/backoff.hpp"
#include "kube/client/api_client.hpp"
#include "kube/client/resource.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::kube {

/// How a status writer behaves.
struct status_writer_config {
  podvisor::kube::client::resource_ref resource;
  /// Attempts per batch of changes before the error is returned (client-go's
  /// RetryOnConflict uses 5; concurrent controllers on one object need more).
  std::uint32_t max_attempts = 16;
  /// Delay between attempts after a conflict or a transient error.
  backoff_policy backoff{std::chrono::milliseconds{10}, std::chrono::seconds{1}, 2.0, 0.5};
  /// Seed for the jitter; 0 → random.
  std::uint64_t backoff_seed = 0;
};

/// Spawns a status writer whose API calls run on `executor`.
protocols::status_writer_actor spawn_status_writer(caf::actor_system& sys, status_writer_config config,
                                                   std::shared_ptr<podvisor::kube::client::api_client> client,
                                                   std::shared_ptr<api_executor> executor);

/// A change that merges `patch` into the object's status (RFC 7386 semantics: null
/// removes a field, objects merge, anything else replaces).
protocols::status_change merge_status(std::string namespace_, std::string name, nlohmann::json patch);

/// A change from a function (see protocols::status_mutation).
protocols::status_change mutate_status(std::string namespace_, std::string name, protocols::status_mutation fn);

} // namespace podvisor::actors::kube
