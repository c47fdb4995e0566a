#pragma once
// podvisor-agent's command line, parsed and checked without side effects so that tests
// can run it. Keep the flag names stable: `podvisor up` and the DaemonSet pass them.

#include <string>
#include <vector>

#include "common/error.hpp"

namespace podvisor::cmd::agent {

/// Everything the flags say.
struct agent_options {
  std::string kubeconfig;
  std::string node_name;
  /// AGENT_DIR: per VMI <uid>/ with control.sock and net-<interface>.json.
  std::string vmi_dir_root = "/var/run/podvisor/vmis";
  std::string log_level;
  bool help = false;
  bool version = false;
};

/// The text of --help.
extern const char* const usage;

/// Parses `args` (without the program name): `--flag VALUE` or `--flag=VALUE`. Errors
/// name the flag and the reason; --node-name is required unless --help or --version.
expected<agent_options> parse_options(const std::vector<std::string>& args);

} // namespace podvisor::cmd::agent
