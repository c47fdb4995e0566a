#pragma once
// The VMI status the node agent writes, as a pure edit of the object read by the status
// writer (so it is re-applied to every fresh read on a conflict). The agent owns the
// phases after Scheduled; the edit never moves a phase backwards, never touches a VMI
// before Scheduled (the controller's), and leaves a finished VMI alone.
//
// What it writes:
//   phase                      Running / Succeeded / Failed, with an entry in
//                              phaseTransitionTimestamps when it changes
//   reason                     the CamelCase reason of a failure
//   interfaces                 per lease: name, mac, ipAddress, ipAddresses [ip],
//                              infoSource "podvisor-dhcp"
//   conditions                 Running: Ready=True, LiveMigratable=False
//                              (NotYetSupported), SoftwareEmulation=True under TCG;
//                              final: Ready=False with the reason and message

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "actors/agent/vm_supervision.hpp"

namespace podvisor::actors::agent {

/// What the status edit needs besides the report.
struct vm_status_facts {
  /// RFC 3339 time for transitions.
  std::string now;
  /// The launcher pod runs under software emulation (annotation
  /// podvisor.io/software-emulation=true).
  bool software_emulation = false;
};

/// Order of VMI phases: "", Pending, Scheduling = 0..2, Scheduled 3, Running 4,
/// Succeeded and Failed 5; unknown phases 0.
int vmi_phase_rank(const std::string& phase);

/// Applies `report` to `vmi` (the whole object); false when nothing may be written.
bool apply_vm_report(nlohmann::json& vmi, const vm_report& report, const vm_status_facts& facts);

} // namespace podvisor::actors::agent
