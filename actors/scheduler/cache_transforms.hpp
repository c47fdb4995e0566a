#pragma once
// What the embedded scheduler's informers keep of each object (informer transforms,
// actors/kube/object_transform.hpp). The scheduler watches every pod in the cluster and
// holds each bound one twice (the informer's JSON and the decoded pod in
// cluster_state); a launcher pod's container (the launcher's command, the VMI as JSON
// in its environment, mounts) and volumes are most of it and no filter reads them.
//
// Why this is safe: the scheduler never writes back a pod or node it read. It POSTs a
// Binding it builds (namespace, name, uid), its PodScheduled condition goes through the
// pod status writer (a fresh GET, the change applied to it, PUT), and Events name the
// pod. scheduler_test's "a write after the transform loses nothing" holds that to the
// API.
//
// Whoever makes the scheduler read a field dropped here (a new filter) must keep it.

#include <nlohmann/json_fwd.hpp>

namespace podvisor::actors::scheduler {

/// The pods' cache. Readers: pod_rules.cpp (spec.nodeName, schedulerName, the whole
/// spec to notice changes, metadata.labels, deletionTimestamp, status.phase and
/// conditions), kube/scheduler's filters and scoring through the decoded pod
/// (metadata.name, namespace, labels; spec.containers[] and initContainers[] resources,
/// nodeSelector, affinity, tolerations, nodeName; status.phase), Events and the Binding
/// (metadata.namespace, name, uid, resourceVersion).
/// Dropped: managedFields, last-applied-configuration and the other annotations; of each
/// container everything but name, image and resources; ephemeral containers; volumes;
/// the container statuses.
void pod_view(nlohmann::json& pod);

/// The nodes' cache (node_change_matters in pod_rules.cpp, the filters through the decoded node:
/// labels, taints, unschedulable, allocatable, conditions): managedFields,
/// last-applied-configuration and status.images (image-locality scoring is not done).
void node_view(nlohmann::json& node);

} // namespace podvisor::actors::scheduler
