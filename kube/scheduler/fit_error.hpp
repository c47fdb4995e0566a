#pragma once
// The message kube-scheduler gives when no node fits (framework.FitError.Error()), which
// ends up in the FailedScheduling event and the pod's PodScheduled condition:
//
//   0/3 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node
//   affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.
//
// Every reason of every node is counted by its text; the "<count> <reason>" strings are
// sorted as strings (Go's sort.Strings, so "10 x" sorts before "2 x") and joined with ", ".

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "kube/scheduler/filter.hpp"

namespace podvisor::kube::scheduler {

/// ErrNoNodesAvailable: the message when the cluster has no node at all.
inline constexpr std::string_view no_nodes_available = "no nodes available to schedule pods";

/// The FitError message for `node_count` nodes of which `unfit` (node → reasons) failed.
std::string fit_error_message(std::size_t node_count, const std::map<std::string, filter_reasons>& unfit);

} // namespace podvisor::kube::scheduler
