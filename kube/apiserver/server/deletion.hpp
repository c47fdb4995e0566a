#pragma once
// Deleting an object with Kubernetes semantics, shared by DELETE requests and the
// garbage collector:
// - finalizers present → deletionTimestamp is set (202); the object goes when the last
//   finalizer is removed by an update;
// - a pod bound to a node → graceful: deletionTimestamp = now + grace period and
//   deletionGracePeriodSeconds set (200); the node's kubelet (podlet) stops it and deletes
//   it again with grace period 0;
// - a namespace → phase Terminating; the garbage collector deletes its content, then it;
// - otherwise removed at once (200, the final state), and dependents are collected in the
//   background (propagationPolicy Background, the default) or released (Orphan).

#include <cstdint>
#include <optional>
#include <string>

#include "kube/apiserver/resources/registry.hpp"
#include "kube/apiserver/store/store.hpp"

namespace podvisor::kube::apiserver {

class api_handler;

/// metav1.DeleteOptions, as far as the server honours them.
struct delete_options {
  std::optional<std::int64_t> grace_period_seconds;
  std::string propagation_policy; ///< "", "Background", "Orphan", "Foreground" (treated as Background)
  std::optional<std::string> uid; ///< preconditions.uid
  std::optional<std::uint64_t> resource_version; ///< preconditions.resourceVersion
};

/// What a deletion did.
struct delete_outcome {
  int status = 200; ///< 200 deleted or gracefully terminating, 202 waiting for finalizers
  std::string body; ///< the object's JSON (final or terminating state)
  std::optional<store_error> error;
};

/// Deletes `key` of `entry` as described above.
delete_outcome delete_with_semantics(api_handler& server, const resource_entry& entry, const object_key& key,
                                     const delete_options& options);

} // namespace podvisor::kube::apiserver
