#pragma once
// The VMI controller (KubeVirt's virt-controller VMI controller): a reconcile loop
// (reconcile_loop.hpp) over VMIs and their launcher pods whose sync reads both caches,
// asks decide_vmi (vmi_decision.hpp) what to do, and does it:
//
//   1. the finalizer first (merge patch with the read resourceVersion, so a stale read
//      fails with a conflict and is retried), so that a VMI never has a pod it could lose
//      track of on deletion;
//   2. the pod: expect one creation for the VMI's key, then create; AlreadyExists (the
//      deterministic name, e.g. after a restart) counts as done; any other failure lowers
//      the expectation and fails the sync (FailedCreate); deletions with the VMI's grace
//      period (FailedDelete);
//   3. the status edit through the status writer, as a compare-and-set on the phase;
//   4. the finalizer's removal once the pods are gone.
//
// The pod informer lowers the expectation when it reports the pod (added), and maps
// every pod event to its owner VMI's key.

#include <chrono>
#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/controller/expectations.hpp"
#include "actors/controller/launcher_pod.hpp"
#include "actors/controller/reconcile_loop.hpp"
#include "actors/kube/api_executor.hpp"
#include "actors/kube/informer.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::controller {

/// The index the pod informer must declare: pods by their owners' uids
/// (actors::kube::owner_uid_index()).
inline constexpr const char* owner_index = "owner";

/// How the VMI controller behaves.
struct vmi_controller_config {
  launcher_pod_config pod;
  std::size_t workers = 3;
  rate_limit_policy rate_limit;
  std::chrono::nanoseconds expectations_ttl = std::chrono::minutes{5};
  /// Expectations' time and the timestamps written; nullptr → the real clock. Must
  /// outlive the controller.
  const podvisor::clock* clock = nullptr;
};

/// What the VMI controller runs on (shared with other controllers of the process).
struct vmi_controller_deps {
  std::shared_ptr<podvisor::kube::client::api_client> client;
  std::shared_ptr<actors::kube::api_executor> executor;
  /// VMIs, all namespaces.
  actors::kube::informer_handle vmis;
  /// Pods with label kubevirt.io=virt-launcher, with the `owner` index.
  actors::kube::informer_handle pods;
  /// A status writer for virtualmachineinstances.
  protocols::status_writer_actor vmi_status;
  protocols::event_recorder_actor recorder;
};

/// The running controller.
struct vmi_controller_handle {
  reconcile_loop_actor loop;
  std::shared_ptr<controller::expectations> expectations;
};

/// Spawns the VMI controller's loop.
vmi_controller_handle spawn_vmi_controller(caf::actor_system& sys, vmi_controller_config config,
                                           vmi_controller_deps deps);

/// The informer configurations the VMI controller expects (for whoever spawns them);
/// their caches keep only what the controllers read (cache_transforms.hpp).
actors::kube::informer_config vmi_informer_config();
actors::kube::informer_config launcher_pod_informer_config();

} // namespace podvisor::actors::controller
