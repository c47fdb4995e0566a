#pragma once
// The real vm_backend of one VMI: the launcher's control channel at
// AGENT_DIR/<uid>/control.sock (virt/channel's launcher_client) and phase 1 of the pod
// network inside /proc/<launcher pid>/ns/net (net/binding), results written to
// AGENT_DIR/<uid>/net-<interface>.json. Plain C++, no CAF; needs root (setns, netlink,
// nftables in the pod's namespace).

#include <filesystem>
#include <memory>

#include "actors/agent/vm_backend.hpp"

namespace podvisor::actors::agent {

/// The backend of the VMI whose directory is `vmi_dir`.
std::shared_ptr<vm_backend> make_node_backend(const std::filesystem::path& vmi_dir);

} // namespace podvisor::actors::agent
