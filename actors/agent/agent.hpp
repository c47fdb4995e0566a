#pragma once
// The node agent's root actor (KubeVirt's virt-handler, one per node): it subscribes to
// the VMI informer, takes every VMI whose status.nodeName is this node once it is
// Scheduled (or Running: re-adoption after an agent restart), and spawns one
// vm_supervisor per VMI (vm_supervisor.hpp). It forwards each VMI change to its
// supervisor and removes AGENT_DIR/<uid> when the VMI is gone.
//
// Supervision, OTP style (one_for_one): every child is monitored, never linked, so one
// VM's failure cannot touch another. A child that quits normally has finished its VM and
// is not restarted. A child that crashes is restarted from the VMI in the cache (the new
// supervisor re-adopts the launcher, it never starts twice); beyond `max_restarts`
// crashes within `restart_period` the agent gives up on that VMI and marks it Failed
// (reason SupervisorFailed, with the last crash's reason) and a Warning Event.
//
//   informer event ──► VMI of this node, phase Scheduled/Running, no child, not given up
//                        └─► spawn vm_supervisor (monitored)
//                      VMI with a child ──► forward the object
//                      VMI deleted      ──► stop the child, remove AGENT_DIR/<uid>
//   down (normal)  ──► finished: not restarted while the VMI exists
//   down (crash)   ──► restart, or give up (Failed) past the intensity limit

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/agent/vm_backend.hpp"
#include "actors/agent/vm_supervisor.hpp"
#include "actors/kube/api_executor.hpp"
#include "actors/kube/informer.hpp"
#include "common/clock.hpp"
#include "protocols/event_recorder.hpp"
#include "protocols/informer.hpp"
#include "protocols/status_writer.hpp"

namespace podvisor::actors::agent {

/// How the agent behaves.
struct agent_config {
  /// This node (required): VMIs whose status.nodeName differs are ignored.
  std::string node_name;
  /// AGENT_DIR: per VMI the directory <uid> shared with its launcher pod.
  std::filesystem::path vmi_dir_root = "/var/run/podvisor/vmis";
  /// What every supervisor gets (vmi_dir, software_emulation and clock are set per VMI).
  vm_supervisor_config supervisor;
  /// Crashes of one VMI's supervisor tolerated within restart_period.
  std::uint32_t max_restarts = 3;
  std::chrono::seconds restart_period{60};
  /// Restart bookkeeping and timestamps; nullptr → the real clock. Must outlive the agent.
  const podvisor::clock* clock = nullptr;
};

/// What the agent runs on.
struct agent_deps {
  /// VMIs (all namespaces; the agent filters by node).
  actors::kube::informer_handle vmis;
  /// Launcher pods on this node with the "owner" index (kube::owner_uid_index), for the
  /// software-emulation annotation; a null cache → never software emulation.
  std::shared_ptr<const actors::kube::informer_cache> launcher_pods;
  protocols::status_writer_actor vmi_status;
  protocols::event_recorder_actor recorder;
  /// Makes each VMI's backend (launcher channel and network wiring).
  vm_backend_factory make_backend;
  /// Makes an executor for one VM's blocking calls (called twice per supervisor:
  /// commands and watch). Production: a detached actor each; tests: inline.
  std::function<std::shared_ptr<actors::kube::api_executor>()> make_executor;
};

/// The agent actor interface: an informer subscriber (VMI events).
using agent_actor = protocols::informer_subscriber_actor;

/// Spawns the agent and subscribes it to `deps.vmis`.
agent_actor spawn_agent(caf::actor_system& sys, agent_config config, agent_deps deps);

/// The informer configuration the agent's VMI informer should have.
actors::kube::informer_config agent_vmi_informer_config();
/// The informer configuration for the launcher pods of `node` (with the owner index).
actors::kube::informer_config agent_launcher_pod_informer_config(const std::string& node);

} // namespace podvisor::actors::agent
