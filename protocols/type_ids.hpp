#pragma once
// Podvisor's CAF type-ID block: every message type that crosses an actor boundary gets an
// ID and a portable name here, in one place, so both ends of a network link agree
// (CAF_BEGIN_TYPE_ID_BLOCK exists since CAF 0.17.5; Debian's 0.17.6 has it).
//
// To add a message type `podvisor::protocols::foo` (declared in protocols/foo.hpp with
// an `inspect` overload):
//   1. forward-declare it below (this header must stay cheap to include),
//   2. add `CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::foo))` inside the block —
//      append only: IDs are positions, and reordering changes them,
//   3. include protocols/foo.hpp in protocols/type_ids.cpp, where `register_types`
//      needs the complete type.
// The portable name is the fully qualified C++ name ("podvisor::protocols::foo").
// Atoms need no ID in 0.17: declare them with CAF_ADD_ATOM(podvisor, podvisor::protocols,
// name_atom, "name") next to the interface that uses them.
//
// Tests that need their own message types append a block after this one:
//   CAF_BEGIN_TYPE_ID_BLOCK(podvisor_test, caf::id_block::podvisor::end)

#include <vector>

#include <caf/fwd.hpp>
#include <caf/type_id.hpp>

namespace podvisor::protocols {
// kube bridge (protocols/kube_object.hpp, informer.hpp, event_recorder.hpp,
// leader_elector.hpp). status_change (status_writer.hpp) is node-local and allowed as an
// unsafe message type instead.
class kube_object;
struct informer_list_result;
struct informer_watch_batch;
struct informer_watch_ended;
struct informer_event;
struct informer_stats;
struct object_reference;
struct event_record;
struct leadership_changed;
// DHCP responder (protocols/dhcp.hpp)
struct dhcp_lease_given;
struct dhcp_stats;
} // namespace podvisor::protocols

CAF_BEGIN_TYPE_ID_BLOCK(podvisor, caf::first_custom_type_id)

  // kube bridge
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::kube_object))
  CAF_ADD_TYPE_ID(podvisor, (std::vector<podvisor::protocols::kube_object>))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::informer_list_result))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::informer_watch_batch))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::informer_watch_ended))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::informer_event))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::informer_stats))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::object_reference))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::event_record))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::leadership_changed))

  // DHCP responder
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::dhcp_lease_given))
  CAF_ADD_TYPE_ID(podvisor, (podvisor::protocols::dhcp_stats))

CAF_END_TYPE_ID_BLOCK(podvisor)

namespace podvisor::protocols {

/// Registers every type of the block (and the "podvisor" error category) with `cfg`.
/// actors::system_config calls it; a hand-made config must call it before creating the
/// actor system.
void register_types(caf::actor_system_config& cfg);

} // namespace podvisor::protocols
