#pragma once
// What podvisor-controller's informers keep of each object (informer transforms, see
// actors/kube/object_transform.hpp). Measured with 100 VMIs of cluster_bench's shape:
// a launcher pod went from ~17 KB of parsed JSON to ~5 KB, most of the difference its
// container (the launcher's command, the VMI as JSON in its environment, mounts), its
// volumes and kubelet's status details.
//
// Why this is safe: the controller never writes back an object it read from one of
// these caches. Status goes through status writers (a fresh GET, the change applied to
// it, PUT), the node controller reads a node or VMI fresh before updating it, finalizers
// are merge patches of one field, pods are created from build_launcher_pod and deleted
// by name, VMIs are created from the VM's template (the VM cache keeps it whole).
// vmi_controller_test's "a write after the transform loses nothing" holds that to the
// API.
//
// Each transform lists the readers it serves. Reading a field a transform drops returns
// "absent": whoever adds such a read must keep the field here too.

#include <nlohmann/json_fwd.hpp>

namespace podvisor::actors::controller {

/// The launcher pods' cache (launcher_pod_informer_config). Readers:
///   - decide_vmi (vmi_decision.cpp): metadata.name, deletionTimestamp; spec.nodeName;
///     status.phase, reason, message, the PodScheduled condition,
///     containerStatuses[].name and .state;
///   - pods_of and the pod event → VMI key mapping (vmi_controller.cpp), the owner
///     index: metadata.ownerReferences;
///   - the informer: metadata.namespace, name, uid, resourceVersion.
/// Kept: of the metadata only the fields above (labels, annotations, managedFields,
/// timestamps go: the label selector runs on the server); of the spec only nodeName; of
/// the status phase, reason, message, the PodScheduled condition (type, status, reason,
/// message; the only one read) and container statuses (name, state).
void launcher_pod_view(nlohmann::json& pod);

/// The VMIs' cache (vmi_informer_config). Readers: the VMI controller (decide_vmi and
/// build_launcher_pod read the metadata, all of the spec, status.phase, nodeName,
/// reason, conditions; finalizers_patch reads metadata.finalizers), the VM controller
/// (vm_decision.cpp: metadata, spec.terminationGracePeriodSeconds, status.phase,
/// phaseTransitionTimestamps, conditions), the node controller (node_decision.cpp:
/// metadata, status.nodeName, phase; Events name the VMI).
/// Kept: everything but metadata.managedFields (annotations go into the launcher pod,
/// so last-applied-configuration stays) and the status fields none of them reads (the
/// agent's interfaces, guest OS info, volume status, memory, topology...): the status
/// keeps phase, phaseTransitionTimestamps, conditions, nodeName and reason.
void vmi_view(nlohmann::json& vmi);

/// The nodes' cache (node controller: metadata with labels and the agent's heartbeat
/// annotation, spec, status.conditions): managedFields, last-applied-configuration and
/// status.images go (the images on the node, read only by image-locality scoring, which
/// nothing here does). The VMs' and node Leases' caches use strip_bookkeeping alone:
/// a VM's template becomes its VMI, a Lease is small.
void node_view(nlohmann::json& node);

} // namespace podvisor::actors::controller
