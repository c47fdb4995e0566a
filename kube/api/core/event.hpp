#pragma once
// core/v1 Event: a note about something that happened to an object ("Scheduled",
// "FailedMount", "Started"). Controllers record them; `kubectl describe` shows them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "kube/api/codec.hpp"
#include "kube/api/enum_table.hpp"
#include "kube/api/kinds.hpp"
#include "kube/api/meta.hpp"
#include "kube/api/micro_timestamp.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// core/v1 event types. Upstream keeps the field an open string ("new types could be
/// added"); the enum_field keeps unknown spellings too.
enum class event_type { normal, warning };

template <>
struct enum_table<event_type> {
  static constexpr std::array entries = {
    enum_entry{event_type::normal, "Normal"},
    enum_entry{event_type::warning, "Warning"},
  };
};

/// core/v1 ObjectReference.
struct object_reference {
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;
  unknown_fields unknown;
  bool operator==(const object_reference&) const = default;
};

template <class F>
void describe(F& f, object_reference& x) {
  f("kind", x.kind, {.doc = "Kind of the referent."});
  f("namespace", x.namespace_, {.doc = "Namespace of the referent."});
  f("name", x.name, {.doc = "Name of the referent."});
  f("uid", x.uid, {.doc = "UID of the referent."});
  f("apiVersion", x.api_version, {.doc = "API version of the referent."});
  f("resourceVersion", x.resource_version, {.doc = "Version of the referent the reference was made to."});
  f("fieldPath", x.field_path, {.doc = "Part of the referent meant, e.g. spec.containers{compute}."});
}

/// core/v1 EventSource.
struct event_source {
  std::string component;
  std::string host;
  unknown_fields unknown;
  bool operator==(const event_source&) const = default;
};

template <class F>
void describe(F& f, event_source& x) {
  f("component", x.component, {.doc = "Component that reported the event."});
  f("host", x.host, {.doc = "Node the event was reported on."});
}

/// core/v1 Event.
struct event {
  std::string api_version = "v1";
  std::string kind = "Event";
  object_meta metadata;
  object_reference involved_object;
  std::string reason;
  std::string message;
  event_source source;
  timestamp first_timestamp;
  timestamp last_timestamp;
  std::int32_t count = 0;
  enum_field<event_type> type;
  micro_timestamp event_time;
  std::string action;
  /// A secondary object reference; carried as JSON since nothing here interprets it.
  std::optional<json> related;
  std::string reporting_component;
  std::string reporting_instance;
  unknown_fields unknown; // series and anything newer
  bool operator==(const event&) const = default;
};

template <class F>
void describe(F& f, event& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "Versioned schema of this object: v1."});
  f("kind", x.kind, {.required = true, .doc = "Kind of this object: Event."});
  f("metadata", x.metadata, {.required = true, .doc = "Standard object metadata."});
  f("involvedObject", x.involved_object, {.required = true, .doc = "The object the event is about."});
  f("reason", x.reason, {.doc = "CamelCase, machine-readable reason."});
  f("message", x.message, {.doc = "Human-readable description."});
  f("source", x.source, {.doc = "Component and host that reported the event."});
  f("firstTimestamp", x.first_timestamp, {.doc = "When the event was first recorded."});
  f("lastTimestamp", x.last_timestamp, {.doc = "When the event was most recently recorded."});
  f("count", x.count, {.doc = "How often the event has occurred."});
  f("type", x.type, {.doc = "Normal or Warning."});
  f("eventTime", x.event_time, {.doc = "When the event was first observed, with microseconds."});
  f("action", x.action, {.doc = "What was done (or failed) about the object."});
  f("related", x.related, {.doc = "A secondary object involved."});
  f("reportingComponent", x.reporting_component,
    {.required = true, .doc = "Controller that emitted the event, e.g. podvisor.io/handler."});
  f("reportingInstance", x.reporting_instance, {.required = true, .doc = "Instance of that controller."});
}

template <>
struct kind_info<event> {
  static constexpr kind_descriptor value{.group = "",
                                         .version = "v1",
                                         .kind = "Event",
                                         .list_kind = "EventList",
                                         .plural = "events",
                                         .singular = "event",
                                         .short_names = {"ev"},
                                         .namespaced = true,
                                         .has_status = false,
                                         .api_version_ = "v1"};
};

} // namespace podvisor::kube::api
