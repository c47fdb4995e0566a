#pragma once
// The leader-election protocol (actors/kube/leader_elector.hpp): replicas of a component
// compete for a coordination.k8s.io/v1 Lease, as client-go's leaderelection package and
// KubeVirt's virt-controller do. The elector tells one subscriber when this replica gains
// or loses leadership; the subscriber starts or stops its leader-only work.

#include <string>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

CAF_ADD_ATOM(podvisor, podvisor::protocols, leader_release_atom, "ldr_rel")
CAF_ADD_ATOM(podvisor, podvisor::protocols, leader_status_atom, "ldr_status")

namespace podvisor::protocols {

/// A change of leadership as this replica sees it.
struct leadership_changed {
  /// True when this replica now leads.
  bool leader = false;
  /// The lease's holderIdentity as last observed ("" when free or unknown).
  std::string holder;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leadership_changed& x) {
  return f(caf::meta::type_name("podvisor::protocols::leadership_changed"), x.leader, x.holder);
}

/// Whoever wants to know: a controller manager starts its controllers on leader = true
/// and stops them (or exits, as virt-controller does) on leader = false.
using leadership_subscriber_actor = caf::typed_actor<
  /// Sent on every gain and loss, never twice in a row with the same `leader`.
  caf::reacts_to<leadership_changed>>;

/// The leader-elector actor interface.
using leader_elector_actor = caf::typed_actor<
  /// Stops competing and, when leading, releases the lease (holderIdentity cleared) so
  /// that another replica takes over at once instead of after leaseDuration. Replies
  /// true when a held lease was released; the elector then terminates.
  caf::replies_to<leader_release_atom>::with<bool>,
  /// This replica's current view.
  caf::replies_to<leader_status_atom>::with<leadership_changed>>;

} // namespace podvisor::protocols
