#pragma once
// The scheduler protocol (actors/scheduler/scheduler.hpp): the embedded scheduler is an
// informer subscriber (nodes and pods) that binds unscheduled pods to nodes through the
// API server. Its other messages are internal (timers, outcomes of API calls) and stay
// in its implementation file.

#include <cstdint>

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "protocols/informer.hpp"

CAF_ADD_ATOM(podvisor, podvisor::protocols, scheduler_stats_atom, "sch_stats")

namespace podvisor::protocols {

/// The scheduler actor interface.
using scheduler_actor = caf::typed_actor<
  /// From its node and pod informers (it subscribes itself when spawned).
  caf::reacts_to<informer_event>,
  /// Its queue, for tests and introspection: pods waiting for a decision, pods parked
  /// as unschedulable (or after a failed bind) until a retry, binds in flight.
  caf::replies_to<scheduler_stats_atom>::with<std::uint64_t, std::uint64_t, std::uint64_t>>;

} // namespace podvisor::protocols
