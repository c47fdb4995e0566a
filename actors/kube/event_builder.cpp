#include "actors/kube/event_builder.hpp"

#include "kube/api/timestamp.hpp"

namespace podvisor::actors::kube {

namespace {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  return podvisor::kube::api::format_timestamp({t});
}

} // namespace

std::string aggregation_key(const protocols::event_record& record) {
  // '\x1f' (unit separator) cannot appear in names, kinds or reasons, so joined fields
  // cannot run into each other.
  const auto& ref = record.involved;
  std::string key;
  for (const std::string* part : {&ref.api_version, &ref.kind, &ref.namespace_, &ref.name, &ref.uid, &ref.field_path,
                                  &record.type, &record.reason, &record.message}) {
    key += *part;
    key += '\x1f';
  }
  return key;
}

std::string event_namespace(const protocols::object_reference& involved) {
  return involved.namespace_.empty() ? std::string{"default"} : involved.namespace_;
}

std::string event_name(const std::string& object_name, std::uint64_t suffix) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  do {
    hex.insert(hex.begin(), digits[suffix % 16]);
    suffix /= 16;
  } while (suffix != 0);
  return object_name + "." + hex;
}

nlohmann::json make_event(const protocols::event_record& record, const std::string& name,
                          const event_source& source, std::int64_t count,
                          std::chrono::system_clock::time_point first_timestamp,
                          std::chrono::system_clock::time_point last_timestamp) {
  const auto& ref = record.involved;
  nlohmann::json involved = {{"kind", ref.kind}, {"name", ref.name}, {"apiVersion", ref.api_version}};
  if (!ref.namespace_.empty())
    involved["namespace"] = ref.namespace_;
  if (!ref.uid.empty())
    involved["uid"] = ref.uid;
  if (!ref.resource_version.empty())
    involved["resourceVersion"] = ref.resource_version;
  if (!ref.field_path.empty())
    involved["fieldPath"] = ref.field_path;
  nlohmann::json src = {{"component", source.component}};
  if (!source.host.empty())
    src["host"] = source.host;
  return {
    {"apiVersion", "v1"},
    {"kind", "Event"},
    {"metadata", {{"name", name}, {"namespace", event_namespace(ref)}}},
    {"involvedObject", std::move(involved)},
    {"type", record.type},
    {"reason", record.reason},
    {"message", record.message},
    {"source", std::move(src)},
    {"reportingComponent", source.component},
    {"reportingInstance", source.host},
    {"count", count},
    {"firstTimestamp", rfc3339(first_timestamp)},
    {"lastTimestamp", rfc3339(last_timestamp)},
  };
}

nlohmann::json count_patch(std::int64_t count, std::chrono::system_clock::time_point last_timestamp) {
  return {{"count", count}, {"lastTimestamp", rfc3339(last_timestamp)}};
}

} // namespace podvisor::actors::kube
