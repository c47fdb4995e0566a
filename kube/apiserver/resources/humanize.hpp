#pragma once
// Ages as `kubectl get` prints them. The server renders table cells, and kubectl prints
// cells verbatim, so these must match k8s.io/apimachinery/pkg/util/duration exactly:
// "45s", "3m20s", "15m", "5h10m", "20h", "3d4h", "40d", "2y30d", "9y".

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace podvisor::kube::apiserver {

/// duration.HumanDuration: about two significant figures; "<invalid>" below -1 s, "0s"
/// for -1 s .. 0 (clock skew between machines).
std::string human_duration(std::chrono::nanoseconds d);

/// duration.ShortHumanDuration: one unit only ("3m", "5h", "40d", "2y").
std::string short_human_duration(std::chrono::nanoseconds d);

/// The age of an RFC 3339 timestamp at `now` as HumanDuration renders it; "<unknown>" for
/// an empty or unparsable timestamp (Kubernetes' translateTimestampSince on a zero time).
std::string age_since_rfc3339(std::string_view rfc3339, std::chrono::system_clock::time_point now);

/// Same for a JSON value: a string timestamp, or anything else (absent, null) = unknown.
std::string age_since(const nlohmann::json& value, std::chrono::system_clock::time_point now);

} // namespace podvisor::kube::apiserver
