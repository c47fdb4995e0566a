#pragma once
// The event-recorder actor (protocol: protocols/event_recorder.hpp): writes core/v1
// Events about objects and aggregates repeats.
//
// Aggregation, per key (aggregation_key in event_builder.hpp: the object, type, reason
// and message):
//   - first occurrence, or the last one longer ago than the window → a new Event named
//     `<object>.<hex of the wall clock's UnixNano>` with count 1;
//   - again within the window → count + 1 and lastTimestamp = now, written as a merge
//     patch to the existing Event. While a write for the key is in flight, further
//     repeats only bump the count; one patch with the latest count follows, so a burst
//     costs a create and a patch or two, not one request per occurrence;
//   - the Event vanished (patch → not found, e.g. the server's event TTL) → a new Event
//     with the accumulated count.
// Events are advisory: a failed write is logged and the key forgotten, never retried in
// a loop. The recorder tracks at most `max_tracked` keys (expired ones go first).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/kube/api_executor.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/event_recorder.hpp"

namespace podvisor::actors::kube {

/// How an event recorder behaves.
struct event_recorder_config {
  /// source.component and reportingComponent, e.g. "podvisor-controller".
  std::string component = "podvisor";
  /// source.host and reportingInstance (the node or pod name).
  std::string host;
  /// Repeats within this window aggregate (client-go: 10 minutes).
  std::chrono::nanoseconds aggregation_window = std::chrono::minutes{10};
  std::size_t max_tracked = 4096;
  /// Timestamps, names and the window; nullptr → the real clock. Must outlive the actor.
  const podvisor::clock* clock = nullptr;
};

/// Spawns an event recorder whose API calls run on `executor`.
protocols::event_recorder_actor spawn_event_recorder(caf::actor_system& sys, event_recorder_config config,
                                                     std::shared_ptr<podvisor::kube::client::api_client> client,
                                                     std::shared_ptr<api_executor> executor);

} // namespace podvisor::actors::kube
