#pragma once
// podvisor-podlet's command line: the flags `podvisor up` passes (keep their names
// stable), parsed and checked without side effects so that tests can run them.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace podvisor::cmd::podlet {

/// Whether the node advertises devices.kubevirt.io/kvm.
enum class kvm_mode { automatic, on, off };

/// Everything the flags say.
struct podlet_options {
  std::string kubeconfig;
  std::string node_name;
  std::string node_ip;
  std::string pod_cidr;
  /// The node's network namespace file, its pod bridge and the pods' gateway (for the
  /// sandbox runtime).
  std::string node_netns;
  std::string node_bridge;
  std::string gateway;
  std::string state_dir;
  /// Quantities as given ("" → the host's: CPUs online, physical memory).
  std::string cpu;
  std::string memory;
  std::int64_t max_pods = 110;
  kvm_mode kvm = kvm_mode::automatic;
  std::chrono::seconds heartbeat_interval{10};
  std::string log_level;
  bool help = false;
  bool version = false;
};

/// The text of --help.
extern const char* const usage;

/// Parses `args` (without the program name). Errors say which flag and why; required
/// flags (--kubeconfig, --node-name, --node-ip, --state-dir) are checked unless --help
/// or --version was given.
expected<podlet_options> parse_options(const std::vector<std::string>& args);

} // namespace podvisor::cmd::podlet
