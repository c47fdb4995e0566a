#pragma once
// Object metadata shared by every Kubernetes kind (metav1.ObjectMeta and friends).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/api/codec.hpp"
#include "kube/api/timestamp.hpp"

namespace podvisor::kube::api {

/// metav1.OwnerReference: the owner whose deletion garbage-collects this object.
struct owner_reference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;
  unknown_fields unknown;
  bool operator==(const owner_reference&) const = default;
};

template <class F>
void describe(F& f, owner_reference& x) {
  f("apiVersion", x.api_version, {.required = true, .doc = "API version of the referent."});
  f("kind", x.kind, {.required = true, .doc = "Kind of the referent."});
  f("name", x.name, {.required = true, .doc = "Name of the referent."});
  f("uid", x.uid, {.required = true, .doc = "UID of the referent."});
  f("controller", x.controller, {.doc = "If true, this reference points to the managing controller."});
  f("blockOwnerDeletion", x.block_owner_deletion,
    {.doc = "If true, the owner cannot be deleted from the key-value store until this reference is removed."});
}

/// metav1.ObjectMeta.
struct object_meta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  timestamp creation_timestamp;
  std::optional<timestamp> deletion_timestamp;
  std::optional<std::int64_t> deletion_grace_period_seconds;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<owner_reference> owner_references;
  std::vector<std::string> finalizers;
  unknown_fields unknown; // managedFields, selfLink and anything newer are kept as they are
  bool operator==(const object_meta&) const = default;
};

template <class F>
void describe(F& f, object_meta& x) {
  f("name", x.name, {.doc = "Name must be unique within a namespace."});
  f("generateName", x.generate_name,
    {.doc = "Prefix the server uses to generate a unique name when name is not given."});
  f("namespace", x.namespace_, {.doc = "Namespace defines the space within which each name must be unique."});
  f("uid", x.uid, {.doc = "UID is the unique in time and space value for this object, set by the server."});
  f("resourceVersion", x.resource_version,
    {.doc = "An opaque value that represents the internal version of this object, for optimistic concurrency."});
  f("generation", x.generation, {.doc = "A sequence number representing a specific generation of the desired state."});
  f("creationTimestamp", x.creation_timestamp, {.doc = "When this object was created, set by the server."});
  f("deletionTimestamp", x.deletion_timestamp,
    {.doc = "When this object will be deleted; set by the server when a graceful deletion is requested."});
  f("deletionGracePeriodSeconds", x.deletion_grace_period_seconds,
    {.doc = "Seconds allowed for this object to terminate gracefully before it is removed."});
  f("labels", x.labels, {.doc = "Map of string keys and values used to organize and select objects."});
  f("annotations", x.annotations, {.doc = "Unstructured key value map of non-identifying metadata."});
  f("ownerReferences", x.owner_references,
    {.doc = "Objects this object depends on; when all owners are deleted, this object is garbage collected."});
  f("finalizers", x.finalizers, {.doc = "Must be empty before the object is deleted from the registry."});
}

/// metav1.ListMeta.
struct list_meta {
  std::string resource_version;
  std::string continue_;
  unknown_fields unknown;
  bool operator==(const list_meta&) const = default;
};

template <class F>
void describe(F& f, list_meta& x) {
  f("resourceVersion", x.resource_version);
  f("continue", x.continue_);
}

/// metav1.Condition-style condition shared by several kinds (type, status, reason, message,
/// times). Kinds with extra condition fields define their own.
struct condition {
  std::string type;
  std::string status; ///< "True", "False" or "Unknown"
  std::string reason;
  std::string message;
  std::optional<timestamp> last_probe_time;
  std::optional<timestamp> last_transition_time;
  unknown_fields unknown;
  bool operator==(const condition&) const = default;
};

template <class F>
void describe(F& f, condition& x) {
  f("type", x.type, {.required = true, .doc = "Type of the condition."});
  f("status", x.status, {.required = true, .doc = "Status of the condition: True, False or Unknown."});
  f("reason", x.reason, {.doc = "Machine-readable, CamelCase reason for the last transition."});
  f("message", x.message, {.doc = "Human-readable details about the last transition."});
  f("lastProbeTime", x.last_probe_time, {.doc = "Last time the condition was probed."});
  f("lastTransitionTime", x.last_transition_time,
    {.doc = "Last time the condition transitioned from one status to another."});
}

} // namespace podvisor::kube::api
