#pragma once
// NodeAffinity: the pod's nodeSelector and its required node affinity must both hold for
// the node's labels; either failing gives "node(s) didn't match Pod's node affinity/selector".
//
// Required node affinity (nodeSelectorTerms) follows k8s.io/component-helpers'
// nodeaffinity: terms are ORed, the requirements of a term ANDed; a term with neither
// matchExpressions nor matchFields matches nothing, and so does an empty term list. An
// invalid requirement makes its term match nothing (the API server's validation refuses
// them, so this only guards against objects it did not check):
//
//   In / NotIn           need at least one value
//   Exists / DoesNotExist take no values
//   Gt / Lt              take exactly one integer; the label must be an integer too
//
// matchFields supports metadata.name with In and NotIn, as Kubernetes does.

#include "kube/api/core/node.hpp"
#include "kube/api/core/pod.hpp"
#include "kube/api/core/scheduling.hpp"
#include "kube/api/selector.hpp"
#include "kube/scheduler/filter.hpp"
#include "kube/scheduler/node_info.hpp"

namespace podvisor::kube::scheduler {

/// True when every nodeSelector entry is a label of the node with that value.
bool matches_node_selector(const api::pod& pod, const api::node& node);

/// One matchExpressions requirement against the node's labels (false when invalid).
bool matches_label_requirement(const api::node_selector_requirement& r, const api::label_set& labels);

/// One matchFields requirement against the node (false when invalid or unsupported).
bool matches_field_requirement(const api::node_selector_requirement& r, const api::node& node);

/// The terms of a NodeSelector, ORed.
bool matches_node_selector_terms(const api::node_selector& selector, const api::node& node);

/// True when the pod has no required node affinity or the node satisfies it.
bool matches_required_node_affinity(const api::pod& pod, const api::node& node);

/// The filter.
filter_reasons filter_node_affinity(const api::pod& pod, const node_info& node);

} // namespace podvisor::kube::scheduler
