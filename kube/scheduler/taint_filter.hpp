#pragma once
// TaintToleration: a node's NoSchedule and NoExecute taints keep off every pod that does
// not tolerate them (PreferNoSchedule only matters for scoring, which we do not do).

#include <optional>
#include <span>
#include <string>

#include "kube/api/core/pod.hpp"
#include "kube/api/core/scheduling.hpp"
#include "kube/scheduler/filter.hpp"
#include "kube/scheduler/node_info.hpp"

namespace podvisor::kube::scheduler {

/// v1.Toleration.ToleratesTaint: the effect matches (an empty effect matches all), the key
/// matches (an empty key matches all; with Exists that tolerates every taint), and the
/// operator holds — Exists ignores the value, Equal (or none) compares it. An operator
/// outside the table tolerates nothing.
bool tolerates(const api::toleration& toleration, const api::taint& taint);

/// True when any of the tolerations tolerates the taint.
bool tolerated(std::span<const api::toleration> tolerations, const api::taint& taint);

/// The first taint with effect NoSchedule or NoExecute that no toleration tolerates.
std::optional<api::taint> first_untolerated_taint(std::span<const api::taint> taints,
                                                  std::span<const api::toleration> tolerations);

/// kube-scheduler's reason for an untolerated taint: `node(s) had untolerated taint {k: v}`.
std::string untolerated_taint_reason(const api::taint& taint);

/// The filter: the first untolerated NoSchedule/NoExecute taint of the node, if any.
filter_reasons filter_taints(const api::pod& pod, const node_info& node);

} // namespace podvisor::kube::scheduler
