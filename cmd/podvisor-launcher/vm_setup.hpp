#pragma once
// From the launcher's flags to a domain: read and admit the VMI (the same decode →
// defaults → validation as the API server), decide the acceleration, gather the host
// facts (volumes, taps, kernel), convert. Everything that can be refused is refused here,
// before a daemon is started.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "cmd/podvisor-launcher/options.hpp"
#include "common/error.hpp"
#include "net/dhcp/lease.hpp"
#include "virt/libvirt/connection.hpp"

namespace podvisor::launcher_cmd {

/// A guest NIC whose address comes from the launcher's DHCP responder.
struct dhcp_plan {
  std::string interface; ///< the VMI's interface name
  std::string bridge;    ///< where the responder listens
  /// The binding's cached result (`net::binding::to_lease_config`) plus the VMI
  /// interface's dhcpOptions: boot file (67), TFTP server (66), NTP (42), options 224..254.
  net::dhcp::lease_config lease;
};

struct prepared_vm {
  std::string domain_name;   ///< <namespace>_<name>
  std::string domain_xml;
  /// Which VMI device each device of the domain is (for the statistics).
  virt::device_names devices;
  std::string accel_name;    ///< "kvm" or "tcg"
  std::string accel_reason;  ///< why, from the KVM probe or the flag
  std::int64_t grace_period_s = 30;
  std::filesystem::path serial_log;
  std::vector<dhcp_plan> dhcp;
};

/// Reads, admits and converts the VMI of `opts`. Errors say which file or field.
expected<prepared_vm> prepare_vm(const launcher_options& opts);

/// `opts` with the networks the node agent's start names added to those of the flags.
/// invalid_argument (the agent's to fix) for a relative path, a path that is not a
/// regular file, or an interface --network-result already names.
expected<launcher_options> with_start_networks(const launcher_options& opts,
                                               const std::map<std::string, std::filesystem::path>& networks);

/// What a launcher that converts the VMI only when the node agent says start
/// (--await-start) needs to know before.
struct vmi_summary {
  std::string domain_name; ///< <namespace>_<name>, as the converter names it
  std::int64_t grace_period_s = 30;
};

/// Reads and admits the VMI of `opts` (the same checks as prepare_vm before conversion).
expected<vmi_summary> read_vmi_summary(const launcher_options& opts);

} // namespace podvisor::launcher_cmd
