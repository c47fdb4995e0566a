#include "actors/kube/lease_record.hpp"

#include "kube/api/timestamp.hpp"

namespace podvisor::actors::kube {

namespace {

std::string micro_time(std::chrono::system_clock::time_point t) {
  return podvisor::kube::api::format_micro_timestamp(podvisor::kube::api::timestamp{t});
}

std::string string_at(const nlohmann::json& spec, const char* field) {
  auto it = spec.find(field);
  return it != spec.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::int64_t int_at(const nlohmann::json& spec, const char* field) {
  auto it = spec.find(field);
  return it != spec.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

} // namespace

lease_record read_lease_record(const nlohmann::json& lease) {
  lease_record rec;
  auto spec = lease.find("spec");
  if (!lease.is_object() || spec == lease.end() || !spec->is_object())
    return rec;
  rec.holder = string_at(*spec, "holderIdentity");
  rec.lease_duration_seconds = int_at(*spec, "leaseDurationSeconds");
  rec.acquire_time = string_at(*spec, "acquireTime");
  rec.renew_time = string_at(*spec, "renewTime");
  rec.transitions = int_at(*spec, "leaseTransitions");
  return rec;
}

nlohmann::json new_lease(const std::string& namespace_, const std::string& name, const std::string& identity,
                         std::chrono::seconds lease_duration, std::chrono::system_clock::time_point now) {
  auto stamp = micro_time(now);
  return {
    {"apiVersion", "coordination.k8s.io/v1"},
    {"kind", "Lease"},
    {"metadata", {{"name", name}, {"namespace", namespace_}}},
    {"spec",
     {{"holderIdentity", identity},
      {"leaseDurationSeconds", lease_duration.count()},
      {"acquireTime", stamp},
      {"renewTime", stamp},
      {"leaseTransitions", 0}}},
  };
}

nlohmann::json take_lease(const nlohmann::json& current, const std::string& identity,
                          std::chrono::seconds lease_duration, std::chrono::system_clock::time_point now) {
  auto rec = read_lease_record(current);
  nlohmann::json lease = current;
  auto& spec = lease["spec"];
  if (!spec.is_object())
    spec = nlohmann::json::object();
  auto stamp = micro_time(now);
  spec["holderIdentity"] = identity;
  spec["leaseDurationSeconds"] = lease_duration.count();
  spec["renewTime"] = stamp;
  if (rec.holder != identity) {
    spec["acquireTime"] = stamp;
    spec["leaseTransitions"] = rec.transitions + 1;
  } else {
    spec["leaseTransitions"] = rec.transitions;
  }
  return lease;
}

nlohmann::json release_lease(const nlohmann::json& current, std::chrono::system_clock::time_point now) {
  auto rec = read_lease_record(current);
  nlohmann::json lease = current;
  auto& spec = lease["spec"];
  if (!spec.is_object())
    spec = nlohmann::json::object();
  auto stamp = micro_time(now);
  spec["holderIdentity"] = "";
  spec["leaseDurationSeconds"] = 1;
  spec["acquireTime"] = stamp;
  spec["renewTime"] = stamp;
  spec["leaseTransitions"] = rec.transitions;
  return lease;
}

} // namespace podvisor::actors::kube
