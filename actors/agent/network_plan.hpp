#pragma once
// Which pod-network interfaces of a VMI the agent wires in phase 1, and how: the VMI's
// spec.domain.devices.interfaces joined with spec.networks by name. Plain C++.

#include <filesystem>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "actors/agent/vm_backend.hpp"
#include "common/error.hpp"

namespace podvisor::actors::agent {

/// The plans for `vmi`'s interfaces, their results under `vmi_dir` (net-<name>.json).
/// An interface without a binding gets bridge (KubeVirt's default on the pod network).
/// unsupported for a network other than the pod network or a binding other than
/// masquerade and bridge; invalid_argument for an interface without its network.
expected<std::vector<interface_plan>> plan_interfaces(const nlohmann::json& vmi, const std::filesystem::path& vmi_dir);

} // namespace podvisor::actors::agent
