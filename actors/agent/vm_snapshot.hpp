#pragma once
// What one VM's supervisor knows about itself, kept for introspection (plain C++, no
// CAF): its state and the timeline of transitions, its children, the launcher, the
// network wiring phase 1 left, the leases and the last errors. `to_json` renders the
// snapshot schema of introspect/provider.hpp; `append_vm_metrics` the per-VMI metrics
// beyond those every snapshot implies (introspect/snapshot_metrics.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "introspect/prometheus_text.hpp"

namespace podvisor::actors::agent {

using wall_time = std::chrono::system_clock::time_point;

/// One transition of the supervisor.
struct timeline_entry {
  std::string state;
  wall_time at;
  std::string reason;
};

/// A child actor of the supervisor.
struct child_info {
  std::string name;
  std::uint32_t restarts = 0;
  /// Messages waiting when the snapshot was taken (read by the actor itself).
  std::size_t mailbox = 0;
  /// Messages handled since the actor started, as of the snapshot (a counter: its rate
  /// is the actor's message rate).
  std::uint64_t messages = 0;
};

/// The counters of one guest network interface (the launcher's status answer).
struct interface_counters {
  std::string name; ///< the VMI interface name
  std::uint64_t rx_bytes = 0, rx_packets = 0, tx_bytes = 0, tx_packets = 0;
  std::uint64_t rx_errors = 0, rx_drops = 0, tx_errors = 0, tx_drops = 0;
  bool operator==(const interface_counters&) const = default;
};

/// The counters of one guest disk.
struct block_counters {
  std::string name; ///< the VMI disk name
  std::uint64_t read_bytes = 0, read_requests = 0, write_bytes = 0, write_requests = 0;
  bool operator==(const block_counters&) const = default;
};

/// The launcher as its hello and last status answer described it.
struct launcher_info {
  int pid = 0;
  int qemu_pid = 0;
  std::string domain_state;
  std::string socket;
  /// From the status answer's stats (0: not known yet).
  std::uint64_t cpu_time_ns = 0;
  std::uint64_t memory_kib = 0;
  std::uint32_t vcpus = 0;
  std::vector<interface_counters> interfaces;
  std::vector<block_counters> blocks;
};

/// One interface as phase 1 wired it (from its net-<name>.json).
struct network_wiring {
  std::string interface, binding, bridge, tap, mac, guest_address, gateway, nft_table;
  bool operator==(const network_wiring&) const = default;
};

/// A lease the launcher's DHCP responder gave, with when the agent first saw it.
struct lease_info {
  std::string interface, mac, ip;
  wall_time at;
};

struct error_entry {
  wall_time at;
  std::string message;
};

/// One supervisor's snapshot.
struct vm_snapshot {
  std::string namespace_, name, uid, node;
  std::string phase, reason;
  std::vector<timeline_entry> timeline;
  std::vector<child_info> children;
  launcher_info launcher;
  std::vector<network_wiring> network;
  std::vector<lease_info> leases;
  std::deque<error_entry> errors;

  /// How many errors are kept (the oldest go first).
  static constexpr std::size_t max_errors = 8;
  /// How many transitions are kept (a supervisor has a handful; a bound all the same).
  static constexpr std::size_t max_timeline = 64;

  /// Records a transition to `state` at `at` (nothing when it is the current state).
  void transition(std::string state, wall_time at, std::string why = {});
  /// Records a lease; a renewal of the same (interface, mac, ip) keeps its first time.
  /// True when it was new.
  bool add_lease(std::string interface, std::string mac, std::string ip, wall_time at);
  void add_error(std::string message, wall_time at);
  /// The current state ("" before the first transition).
  std::string_view state() const { return timeline.empty() ? std::string_view{} : timeline.back().state; }
};

/// "2026-11-28T15:04:05.123Z".
std::string format_time_ms(wall_time t);

/// The snapshot as introspect/provider.hpp documents it; the last state's duration runs
/// until `now`.
nlohmann::json to_json(const vm_snapshot& s, wall_time now);

/// The supervisor state names of the timeline, from the vm_stage names: "AwaitingLauncher",
/// "WiringNetwork", "Starting", "Booting", "Running", "ShuttingDown", "Finished".
std::string state_name(std::string_view stage);

/// Appends, for every snapshot, the families
///   podvisor_vmi_phase{namespace,name,phase}            gauge, 1 for the current phase
///   podvisor_vmi_vcpus{namespace,name}                  gauge
///   podvisor_vmi_memory_bytes{namespace,name}           gauge
///   podvisor_vmi_domain_state{namespace,name,state}     gauge, 1 for the current state
///   podvisor_vmi_cpu_seconds_total{namespace,name}      counter
///   podvisor_vmi_network_{receive,transmit}_{bytes,packets}_total{namespace,name,interface}
///                                                       counter, per VMI interface
///   podvisor_vmi_storage_{read,write}_{bytes,requests}_total{namespace,name,drive}
///                                                       counter, per VMI disk
/// (only VMs whose launcher reported them), then the agent's own
///   podvisor_agent_supervisors{state}                   gauge
///   podvisor_agent_supervisor_restarts_total            counter (all supervisors)
/// Call once per prometheus_text, after append_supervisor_metrics.
error append_vm_metrics(introspect::prometheus_text& out, const std::vector<vm_snapshot>& snapshots);

} // namespace podvisor::actors::agent
