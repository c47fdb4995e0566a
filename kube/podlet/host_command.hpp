#pragma once
// Running a program and collecting what it prints; errors carry the command line and
// its output. The sandbox runtime starts podvisor-shim this way. Namespaces, links,
// addresses, routes and mounts are made in-process (pod_network.hpp, mount_namespace.hpp,
// cluster_network.cpp); the tests use `ip`/`nsenter` through here to check the result.

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
