#pragma once
// Resource amounts as kube-scheduler counts them (framework.Resource): cpu in millicores,
// every other resource (memory, ephemeral-storage, hugepages-*, extended resources such as
// devices.kubevirt.io/kvm) in whole units, rounded up.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "kube/api/core/common.hpp"
#include "kube/api/core/pod.hpp"

namespace podvisor::kube::scheduler {

/// Resource name → amount (cpu in millicores, the rest in units). Absent means zero.
using resource_amounts = std::map<std::string, std::int64_t, std::less<>>;

inline constexpr std::string_view resource_cpu = "cpu";
inline constexpr std::string_view resource_memory = "memory";
inline constexpr std::string_view resource_pods = "pods";

/// What scoring assumes for a container that requests no cpu (100m) or memory (200Mi), as
/// kube-scheduler's schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: without it,
/// pods with no requests would all pile onto the same node.
inline constexpr std::int64_t default_milli_cpu_request = 100;
inline constexpr std::int64_t default_memory_request = 200 * 1024 * 1024;

/// One quantity in the scheduler's unit for `name`: MilliValue for cpu, Value otherwise.
std::int64_t amount_of(std::string_view name, const api::quantity& q);

/// A resource_list (allocatable, requests) in the scheduler's units.
resource_amounts to_amounts(const api::resource_list& list);

/// The amount of `name` in `amounts`, 0 when absent.
std::int64_t amount(const resource_amounts& amounts, std::string_view name);

/// Adds `b` to `a`, resource by resource.
void add_amounts(resource_amounts& a, const resource_amounts& b);

/// Subtracts `b` from `a`, resource by resource (entries that reach zero stay).
void subtract_amounts(resource_amounts& a, const resource_amounts& b);

/// How requests are counted.
enum class request_mode {
  exact,    ///< as written: a pod without requests requests nothing (filters)
  non_zero, ///< cpu and memory missing from a container count as the defaults above (scoring)
};

/// What the pod requests, as resource.PodRequests computes it: the sum over its
/// containers, then for each resource the larger of that sum and every init container's
/// request (init containers run one at a time, before the others). A container's request
/// for a resource it only limits is the limit, which is what the API server's defaulting
/// would have written.
resource_amounts pod_requests(const api::pod& pod, request_mode mode = request_mode::exact);

/// True when the pod has ended (phase Succeeded or Failed): it holds no resources and no
/// longer takes part in anti-affinity, as for kube-scheduler, whose cache drops such pods.
bool is_terminated(const api::pod& pod);

} // namespace podvisor::kube::scheduler
