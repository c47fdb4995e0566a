#pragma once
// Undoing phase 1: exactly what `binding_state.changes` records, in reverse, each step
// tolerant of having been done already (a teardown interrupted half way can run again).
// Bridge binding gets its NIC back as CNI made it: name, MAC, address, routes, out of
// the bridge. Masquerade loses its table and ip_forward returns to its earlier value.

#include <filesystem>

#include "common/error.hpp"
#include "net/binding/binding_state.hpp"
#include "net/binding/netlink.hpp"
#include "net/binding/netns.hpp"

namespace podvisor::net::binding {

/// Undoes `state.changes` in the calling thread's namespace.
error teardown_binding(rtnl& nl, const binding_state& state);

/// Reads the state at `path`, undoes it and removes the file; success when there is no
/// file (nothing to undo).
error teardown_binding(rtnl& nl, const std::filesystem::path& state_path);

/// The same inside `ns` (on a thread of its own).
inline error teardown_binding(const netns_ref& ns, const std::filesystem::path& state_path) {
  return run_in_netns(ns, [&]() -> error {
    auto nl = rtnl::open();
    if (!nl)
      return nl.error();
    return teardown_binding(*nl, state_path);
  });
}

} // namespace podvisor::net::binding
