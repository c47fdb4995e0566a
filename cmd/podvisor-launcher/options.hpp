#pragma once
// podvisor-launcher's command line, parsed into what the launcher needs. Separate from
// main so that the parsing and its errors are unit tested.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "virt/converter/converter_input.hpp"

namespace podvisor::launcher_cmd {

enum class accel_choice { auto_detect, kvm, tcg };

struct launcher_options {
  std::filesystem::path vmi_file;
  std::filesystem::path work_dir;
  std::filesystem::path capabilities_cache;
  accel_choice accel = accel_choice::auto_detect;
  std::map<std::string, virt::interface_fact> interfaces;
  std::map<std::string, virt::volume_fact> volumes;
  /// Interface name → the network binding's cached result (phase 1, net/binding): the tap
  /// and MAC for the domain, and what the DHCP responder tells the guest.
  std::map<std::string, std::filesystem::path> network_results;
  std::string kernel, initrd;
  std::optional<std::int64_t> grace_period_s;
  std::uint64_t serial_log_max_bytes = 8u << 20;
  std::filesystem::path control_socket;
  /// --await-start: wait this long for the node agent's start (with the network results)
  /// before defining the domain.
  std::optional<std::int64_t> await_start_s;
  /// --warm-capabilities: no VM; start the daemon, make sure the node's capabilities
  /// cache holds an entry libvirt accepts (probing QEMU when it does not), stop, exit.
  /// The node agent runs this once when it starts, so no VM on the node pays the probe.
  bool warm_capabilities = false;
  std::string log_level;
  bool help = false;
  bool version = false;
};

/// Parses argv (without argv[0]). Errors name the flag and what is wrong with it.
expected<launcher_options> parse_options(const std::vector<std::string>& args);

extern const char* const usage;

} // namespace podvisor::launcher_cmd
