#pragma once
// NodeResourcesFit's LeastAllocated score: prefer the node with the most free cpu and
// memory once the pod is added. For each of cpu and memory with a non-zero allocatable,
// (allocatable − requested) × 100 / allocatable in integer arithmetic (0 when requested
// exceeds allocatable); the node's score is their average, rounded down, 0..100.
// `requested` is what the node's pods request plus the pod, all counted the non-zero way
// (`request_mode::non_zero`), exactly as kube-scheduler does.

#include <cstdint>

#include "kube/scheduler/node_info.hpp"
#include "kube/scheduler/resources.hpp"

namespace podvisor::kube::scheduler {

/// The best score a node can get.
inline constexpr std::int64_t max_node_score = 100;

/// leastRequestedScore for one resource.
std::int64_t least_requested_score(std::int64_t requested, std::int64_t allocatable);

/// The node's score for a pod whose non-zero requests are `pod_request`.
std::int64_t least_allocated_score(const resource_amounts& pod_request, const node_info& node);

} // namespace podvisor::kube::scheduler
