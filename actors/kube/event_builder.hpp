#pragma once
// core/v1 Events as the event recorder writes them: the aggregation key, the name, the
// object and the count patch. Pure functions (no actors, no clock), tested on their own.

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "protocols/event_recorder.hpp"

namespace podvisor::actors::kube {

/// Events with the same key are "the same event happening again" (client-go's
/// EventCorrelator key without the message-similarity grouping): the involved object
/// (apiVersion, kind, namespace, name, uid, fieldPath), type, reason and message.
std::string aggregation_key(const protocols::event_record& record);

/// The namespace an Event about `involved` lives in: the object's, or "default" for a
/// cluster-scoped object (as client-go does).
std::string event_namespace(const protocols::object_reference& involved);

/// `<object name>.<suffix in lowercase hex>`, client-go's `%v.%x` of name and UnixNano.
std::string event_name(const std::string& object_name, std::uint64_t suffix);

/// Where the Event comes from (source.component/host, reportingComponent/Instance).
struct event_source {
  std::string component;
  std::string host;
};

/// The Event object. Timestamps are metav1.Time (RFC 3339, seconds).
nlohmann::json make_event(const protocols::event_record& record, const std::string& name,
                          const event_source& source, std::int64_t count,
                          std::chrono::system_clock::time_point first_timestamp,
                          std::chrono::system_clock::time_point last_timestamp);

/// The merge patch that records a repeat: count and lastTimestamp.
nlohmann::json count_patch(std::int64_t count, std::chrono::system_clock::time_point last_timestamp);

} // namespace podvisor::actors::kube
