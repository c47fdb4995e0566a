#pragma once
// The informer actor: client-go's reflector + shared informer for one resource and scope
// (namespace, label selector, field selector such as spec.nodeName=<node>). It lists,
// then watches from the list's resourceVersion with bookmarks, keeps the cache
// (informer_cache.hpp), and delivers typed events to subscribers with bounded,
// coalescing queues (subscriber_queue.hpp says exactly what a subscriber sees). The
// protocol is in protocols/informer.hpp.
//
// States (all I/O goes through the reflector source, reflector_source.hpp):
//
//            spawn
//              │ source.list(g)
//              ▼
//        ┌───────────┐  list ok: apply differences    ┌────────────┐
//   ┌───►│  LISTING  │───(first time: synced)────────►│  WATCHING  │◄──┐
//   │    └───────────┘  source.watch(g, list RV)      └────────────┘   │ clean end after
//   │          │ list failed                             │   │  │      │ progress: watch
//   │          ▼                                         │   │  └──────┘ from last RV
//   │    ┌───────────┐◄── 410 / broken stream ───────────┘   │
//   └────│  WAITING  │◄── clean end without progress ────────┘
//  relist└───────────┘    (timer: re-watch from last RV)
//        backoff timer
//
// g is the generation: every request to the source gets a new one, and answers to older
// generations are dropped, so a late answer can never be applied twice or out of order.
// "Progress" means the watch delivered at least one event or bookmark; it also resets
// the backoff, so a healthy watch that the server ends every few minutes is re-opened
// at once, while a server that keeps failing is retried with capped, jittered delays.
// A 410 after progress relists at once (the usual compaction case); a broken stream
// relists after a backoff delay, because the server probably went away.
//
// Resync: every `resync_period` (0 = never) each cached object is re-delivered to every
// subscriber as updated(obj, obj) with resync = true, as client-go's resync does, so
// that level-triggered controllers reconsider objects whose change they failed to act on.
//
// Stop an informer with an exit message (caf::anon_send_exit); its source stops with it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/kube/informer_cache.hpp"
#include "actors/kube/object_transform.hpp"
#include "actors/kube/reflector_source.hpp"
#include "common/backoff.hpp"
#include "kube/client/api_client.hpp"
#include "kube/client/resource.hpp"
#include "protocols/informer.hpp"

namespace podvisor::actors::kube {

/// What an informer watches and how it behaves.
struct informer_config {
  podvisor::kube::client::resource_ref resource;
  /// "" → all namespaces.
  std::string namespace_;
  std::string label_selector;
  std::string field_selector;
  /// Indexes besides "namespace" (e.g. {"node", field_index("status.nodeName")}).
  index_set indexes;
  /// Applied to every object before it is cached and delivered (object_transform.hpp:
  /// what a cache may drop, and why nothing taken from it may be written back). With
  /// the real source it runs on the source's helper thread, in place; with another
  /// source the informer applies it to a copy. Index functions see the result.
  object_transform transform;
  /// Re-delivery of every cached object; zero disables it.
  std::chrono::nanoseconds resync_period{0};
  /// Default number of unacknowledged events per subscriber.
  std::uint32_t subscriber_window = 64;
  /// Delays between failed lists and watches.
  backoff_policy backoff{std::chrono::milliseconds{100}, std::chrono::seconds{30}, 2.0, 0.5};
  /// Seed for the backoff's jitter; 0 → random.
  std::uint64_t backoff_seed = 0;
  /// For the real source (api_source_options).
  std::int64_t list_page_size = 500;
  std::int64_t watch_timeout_seconds = 300;
  std::size_t max_unprocessed_events = 4096;
  /// Names the informer in logs; defaults to the resource's plural (plus the scope).
  std::string name;
};

/// A running informer: its actor, and the read-only view of its cache.
struct informer_handle {
  protocols::informer_actor actor;
  std::shared_ptr<const informer_cache> cache;
};

/// Spawns an informer that lists and watches through `client` (api_reflector_source).
informer_handle spawn_informer(caf::actor_system& sys, informer_config config,
                               std::shared_ptr<podvisor::kube::client::api_client> client);

/// Spawns an informer with any source: the seam tests use to drive it with messages.
informer_handle spawn_informer(caf::actor_system& sys, informer_config config, reflector_source_factory make_source);

} // namespace podvisor::actors::kube
