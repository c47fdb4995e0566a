#pragma once
// The VM controller: a reconcile loop (reconcile_loop.hpp) over VirtualMachines whose
// sync asks vm_decision.hpp what to do and does it. VM events queue the VM's key; VMI
// events queue the key of the VM that controls the VMI (its controller ownerReference).
//
// A sync: read the VM and the VMI of the same name from the informer caches, decide,
// create the VMI (AlreadyExists means a previous sync's create landed and the cache has
// not caught up: nothing to do) or delete it (uid precondition; NotFound means it is
// gone), then write the VM's status through the VM status writer — the decided change,
// re-applied to each fresh read, with the Failure condition when the create or delete
// failed. A create or delete failure is a failed sync (rate-limited retry, Warning
// Event); a back-off or a VMI about to be stable requeues the key after that delay.
//
// No expectations are needed: the VMI's name is the VM's, so a second create of the
// same VMI fails at the API server; deletes carry the uid they were decided for.

#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/controller/reconcile_loop.hpp"
#include "actors/controller/vm_decision.hpp"
#include "actors/kube/api_executor.hpp"
#include "actors/kube/informer.hpp"
#include "common/clock.hpp"
#include "kube/client/api_client.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::controller {

/// What the VM controller needs.
struct vm_controller_config {
  /// Informers on VirtualMachines and VirtualMachineInstances (all namespaces or one).
  actors::kube::informer_handle vms;
  actors::kube::informer_handle vmis;
  /// For VMI creates and deletes (called on the executor).
  std::shared_ptr<podvisor::kube::client::api_client> client;
  std::shared_ptr<actors::kube::api_executor> executor;
  /// Writes VM status.
  protocols::status_writer_actor status_writer;
  /// Records SuccessfulCreate / SuccessfulDelete and failures; may be null.
  protocols::event_recorder_actor recorder;
  /// Wall time for back-off and conditions; must outlive the controller.
  const podvisor::clock* clock = &podvisor::real_clock::instance();
  vm_backoff_policy backoff;
  std::size_t workers = 3;
};

/// Spawns the VM controller (its reconcile loop, subscribed to both informers).
reconcile_loop_actor spawn_vm_controller(caf::actor_system& sys, vm_controller_config config);

struct controller_context;

/// Spawns the VM controller in podvisor-controller: its own VM informer and VM status
/// writer, the context's client, executor, VMI informer and recorder; everything it
/// spawns is kept in `ctx`.
reconcile_loop_actor spawn_vm_controller(caf::actor_system& sys, controller_context& ctx, std::size_t workers = 3);

/// The key of the VM that controls a VMI ("namespace/name"), empty when none does.
std::string owner_vm_key(const nlohmann::json& vmi);

} // namespace podvisor::actors::controller
