#pragma once
// podvisor-agent's command line, parsed and checked without side effects so that tests
// can run it. Keep the flag names stable: `podvisor up` and the DaemonSet pass them.

#include <chrono>
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
  /// Warming the node's QEMU capabilities cache at start (both set, or neither): the
  /// launcher binary is run with --warm-capabilities on this cache directory, which must
  /// be the controller's --capabilities-cache.
  std::string launcher_binary;
  std::string capabilities_cache;
  /// How often the heartbeat writes the Node (--heartbeat-interval SECONDS).
  std::chrono::seconds heartbeat_interval{15};
  /// Introspection (introspect/server.hpp): off unless `introspection_listen` is set;
  /// then cert, key and token file are required. Port 0 picks a free port.
  std::string introspection_host;
  int introspection_port = -1; ///< -1: no --introspection-listen
  std::string introspection_cert, introspection_key, introspection_token_file;
  /// The host put in the Node's endpoint annotation (default: the listen host).
  std::string introspection_advertise;
  bool help = false;
  bool version = false;
};

/// The text of --help.
extern const char* const usage;

/// Parses `args` (without the program name): `--flag VALUE` or `--flag=VALUE`. Errors
/// name the flag and the reason; --node-name is required unless --help or --version.
/// Files are not opened here (main checks them).
expected<agent_options> parse_options(const std::vector<std::string>& args);

} // namespace podvisor::cmd::agent
