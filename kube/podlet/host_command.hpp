#pragma once
// Running the host's plumbing tools (ip, nsenter, unshare) and collecting what they
// print. The podlet mechanism uses them for the few things net/binding's netlink session
// does not cover (veth pairs across namespaces, persistent network namespaces; pod mount
// namespaces are made in-process, mount_namespace.hpp); errors carry the command line
// and its output.

#include <string>
#include <vector>

#include "common/error.hpp"

namespace podvisor::kube::podlet {

/// Runs `argv` (argv[0] looked up on PATH), waits, and returns stdout+stderr when it
/// exits 0; otherwise an error naming the command, its status and its output.
expected<std::string> run_command(const std::vector<std::string>& argv);

/// `run_command` for callers that only care about success.
error run_checked(const std::vector<std::string>& argv);

/// `argv` run inside the network namespace at `netns_path` (nsenter --net=).
std::vector<std::string> in_netns(const std::string& netns_path, std::vector<std::string> argv);

} // namespace podvisor::kube::podlet
