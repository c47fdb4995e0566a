#pragma once
// Where an informer's lists and watches come from: the seam between the informer (all
// state, no blocking) and the blocking api_client calls.
//
// The informer asks its source for a list or a watch, tagged with a generation number;
// the answers come back later as messages to the informer (informer_list_result,
// informer_watch_batch, informer_watch_ended in protocols/informer.hpp). The real source
// runs the calls on a detached helper actor, so the informer never blocks a scheduler
// thread. Tests give the informer a source that only records what was asked, and send
// it the answers themselves, deterministically, under CAF's test coordinator.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/kube/object_transform.hpp"
#include "kube/client/api_client.hpp"
#include "kube/client/resource.hpp"
#include "protocols/informer.hpp"

namespace podvisor::actors::kube {

/// What the informer asks of the outside world. Called only from the informer's
/// handlers; implementations must not block.
class reflector_source {
public:
  virtual ~reflector_source() = default;

  /// Lists the collection; the answer is an informer_list_result with `generation`.
  virtual void list(std::uint64_t generation) = 0;

  /// Watches from `resource_version` (with bookmarks); events arrive as
  /// informer_watch_batch and the end as informer_watch_ended, all with `generation`.
  /// The previous watch has ended by then (the informer waits for its end).
  virtual void watch(std::uint64_t generation, const std::string& resource_version) = 0;

  /// The informer has processed `events` watch events (flow control: a source may stop
  /// reading the stream while too many are unprocessed).
  virtual void consumed(std::size_t events) = 0;
};

/// Makes an informer's source once the informer exists (the source sends to it). The
/// informer owns the source; destroying it stops any running call as soon as possible.
using reflector_source_factory =
  std::function<std::unique_ptr<reflector_source>(const protocols::informer_actor& informer)>;

/// What the real source lists and watches.
struct api_source_options {
  podvisor::kube::client::resource_ref resource;
  /// "" → all namespaces.
  std::string namespace_;
  std::string label_selector;
  std::string field_selector;
  /// Page size of lists (the client follows continue tokens).
  std::int64_t list_page_size = 500;
  /// Server-side end of each watch (client-go: 5–10 minutes).
  std::int64_t watch_timeout_seconds = 300;
  /// Watch events sent to the informer but not yet processed before the source stops
  /// reading the stream. The informer's mailbox stays bounded; if the informer is
  /// slower than the server for long, the server cuts the watch off (410) and the
  /// informer relists, which is how a Kubernetes client is meant to catch up.
  std::size_t max_unprocessed_events = 4096;
  /// Applied in place to every listed object and every watched one (deleted ones too)
  /// before it becomes an immutable kube_object: on this helper thread, with no copy.
  object_transform transform;
};

/// The real source: list and watch through `client` on a detached helper actor spawned
/// in `sys` (one per informer; it lives until the informer drops the source).
reflector_source_factory api_reflector_source(caf::actor_system& sys,
                                              std::shared_ptr<podvisor::kube::client::api_client> client,
                                              api_source_options options);

} // namespace podvisor::actors::kube
