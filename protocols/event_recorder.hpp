#pragma once
// The event-recorder protocol (actors/kube/event_recorder.hpp): components report what
// happened to an object ("Started", "Migrated", "FailedScheduling") and the recorder
// writes core/v1 Events, aggregating repeats the way client-go's EventCorrelator does:
// the same object, type, reason and message again within the aggregation window patch
// the existing Event's count and lastTimestamp instead of creating another Event.

#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "protocols/kube_object.hpp"

namespace podvisor::protocols {

/// core/v1 ObjectReference: the object an event is about.
struct object_reference {
  std::string api_version; ///< "kubevirt.io/v1"
  std::string kind;        ///< "VirtualMachineInstance"
  std::string namespace_;  ///< "" for cluster-scoped objects
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string field_path; ///< optional, e.g. "spec.containers{compute}"
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, object_reference& x) {
  return f(caf::meta::type_name("podvisor::protocols::object_reference"), x.api_version, x.kind, x.namespace_,
           x.name, x.uid, x.resource_version, x.field_path);
}

/// The reference to `object` (apiVersion and kind from the object, or the given ones
/// when the object lacks them, as list items from kube-apiserver do).
object_reference reference_to(const kube_object& object, std::string api_version = {}, std::string kind = {});

/// Something that happened to an object.
struct event_record {
  object_reference involved;
  /// "Normal" or "Warning".
  std::string type = "Normal";
  /// CamelCase, machine-readable: "Started", "FailedMigration".
  std::string reason;
  /// For people.
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_record& x) {
  return f(caf::meta::type_name("podvisor::protocols::event_record"), x.involved, x.type, x.reason, x.message);
}

/// The event-recorder actor interface.
using event_recorder_actor = caf::typed_actor<
  /// Records the event (fire and forget: a lost event is logged, never retried forever,
  /// because events are advisory in Kubernetes).
  caf::reacts_to<event_record>>;

} // namespace podvisor::protocols
