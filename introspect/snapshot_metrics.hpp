#pragma once
// The metrics every supervisor snapshot (provider.hpp) implies, so that the agent's
// /metrics and its /v1/supervisors never disagree. One family each, labels
// namespace/name (the VMI) plus what the row is about:
//
//   podvisor_supervisor_info{namespace,name,uid,node,state,phase}        gauge, always 1
//   podvisor_supervisor_transitions_total{namespace,name}                 counter (timeline length)
//   podvisor_supervisor_step_duration_seconds{namespace,name,state}       gauge, the last time
//                                                                         spent in that state
//   podvisor_actor_restarts_total{namespace,name,actor}                   counter
//   podvisor_actor_mailbox_depth{namespace,name,actor}                    gauge
//   podvisor_actor_messages_total{namespace,name,actor}                   counter: messages
//                                                                         handled; rate() of it
//                                                                         is the message rate
//   podvisor_launcher_running{namespace,name}                             gauge, 1 with a launcher pid
//   podvisor_vmi_lease_info{namespace,name,interface,mac,ip}              gauge, always 1
//
// Domain statistics (vCPUs, memory, network and block counters from libvirt) are the
// agent's to add with prometheus_text after these.

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "introspect/prometheus_text.hpp"

namespace podvisor::introspect {

/// Appends the families above for `snapshots` (a JSON array; members of the wrong type
/// are skipped, so a half-filled snapshot still renders). Call once per prometheus_text:
/// a second call is invalid_argument (the families exist already).
error append_supervisor_metrics(prometheus_text& out, const nlohmann::json& snapshots);

} // namespace podvisor::introspect
