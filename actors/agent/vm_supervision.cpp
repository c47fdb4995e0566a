#include "actors/agent/vm_supervision.hpp"

#include <utility>

namespace podvisor::actors::agent {

namespace {

using kind = supervision_action::kind;

supervision_action act(kind k) {
  supervision_action a;
  a.what = k;
  return a;
}

supervision_action event(std::string type, std::string reason, std::string message) {
  supervision_action a;
  a.what = kind::record_event;
  a.event_type = std::move(type);
  a.reason = std::move(reason);
  a.message = std::move(message);
  return a;
}

std::string seconds_text(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

} // namespace

std::string_view to_string(vm_stage s) {
  switch (s) {
    case vm_stage::awaiting_launcher:
      return "awaiting_launcher";
    case vm_stage::wiring_network:
      return "wiring_network";
    case vm_stage::starting:
      return "starting";
    case vm_stage::booting:
      return "booting";
    case vm_stage::running:
      return "running";
    case vm_stage::shutting_down:
      return "shutting_down";
    case vm_stage::finished:
      return "finished";
  }
  return "unknown";
}

std::string describe(const supervision_action& a) {
  switch (a.what) {
    case kind::connect:
      return "connect";
    case kind::connect_later:
      return "connect later";
    case kind::start_watch:
      return "watch";
    case kind::wire_network:
      return "wire network";
    case kind::send_start:
      return "start";
    case kind::query_status:
      return "status";
    case kind::send_shutdown:
      return "shutdown " + (a.grace_seconds ? std::to_string(*a.grace_seconds) : std::string{"default"});
    case kind::write_status:
      return "write status";
    case kind::record_event:
      return "event " + a.event_type + " " + a.reason + ": " + a.message;
    case kind::arm_wait:
      return "wait#" + std::to_string(a.wait_id) + " " + std::to_string(a.delay.count()) + "s";
    case kind::finish:
      return "finish";
  }
  return "?";
}

vm_supervision::vm_supervision(supervision_timeouts timeouts, std::string vmi_phase)
    : timeouts_(timeouts), initial_phase_(std::move(vmi_phase)) {}

std::vector<supervision_action> vm_supervision::begin() {
  actions out;
  out.push_back(act(kind::connect));
  enter(vm_stage::awaiting_launcher, initial_phase_ == "Running" ? timeouts_.readopt : timeouts_.launcher, out);
  return out;
}

std::vector<supervision_action> vm_supervision::handle(const supervision_input& input) {
  if (stage_ == vm_stage::finished)
    return {};
  return std::visit([this](const auto& in) { return on(in); }, input);
}

void vm_supervision::enter(vm_stage s, std::chrono::seconds wait, actions& out) {
  stage_ = s;
  ++wait_id_; // any earlier wait is stale from now on
  wait_length_ = wait;
  if (wait.count() > 0) {
    auto a = act(kind::arm_wait);
    a.delay = wait;
    a.wait_id = wait_id_;
    out.push_back(std::move(a));
  }
}

auto vm_supervision::on(const launcher_connected& in) -> actions {
  if (stage_ != vm_stage::awaiting_launcher)
    return {};
  pid_ = in.pid;
  actions out;
  out.push_back(act(kind::start_watch));
  if (in.awaiting_start) {
    out.push_back(act(kind::wire_network));
    enter(vm_stage::wiring_network, timeouts_.start, out);
  } else {
    // Re-adoption: the launcher runs its domain already; never start twice. The status
    // answer tells the phase and the leases, and the report is corrected from it.
    adopted_ = true;
    out.push_back(act(kind::query_status));
    out.push_back(event("Normal", "Adopted",
                        "re-adopted the running launcher (pid " + std::to_string(in.pid) + ")"));
    enter(vm_stage::booting, timeouts_.boot, out);
  }
  if (deletion_seen_) {
    auto more = on(deletion_requested{pending_grace_});
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

auto vm_supervision::on(const launcher_unreachable& in) -> actions {
  if (stage_ != vm_stage::awaiting_launcher)
    return {};
  last_connect_error_ = in.reason.to_string();
  return {act(kind::connect_later)};
}

auto vm_supervision::on(const network_wired& in) -> actions {
  if (stage_ != vm_stage::wiring_network)
    return {};
  networks_ = in.results;
  stage_ = vm_stage::starting; // the start wait goes on
  return {act(kind::send_start)};
}

auto vm_supervision::on(const network_failed& in) -> actions {
  if (stage_ != vm_stage::wiring_network)
    return {};
  return fail("NetworkSetupFailed", "wiring the pod network failed: " + in.reason.to_string());
}

auto vm_supervision::on(const start_answered& in) -> actions {
  if (stage_ != vm_stage::starting)
    return {};
  if (!in.result.ok())
    return fail("StartFailed", "the launcher could not start the VM: " + in.result.to_string());
  actions out;
  out.push_back(event("Normal", "Started", "the launcher started the domain"));
  out.push_back(act(kind::query_status));
  enter(vm_stage::booting, timeouts_.boot, out);
  return out;
}

auto vm_supervision::on(const launcher_phase_seen& in) -> actions {
  if (in.phase == "succeeded")
    return succeed();
  if (in.phase == "failed")
    return fail("LauncherFailed",
                "the launcher reported failure" + (in.reason.empty() ? std::string{} : ": " + in.reason));
  // A paused VM is still Running for its VMI (KubeVirt adds a Paused condition).
  if ((in.phase == "running" || in.phase == "paused") &&
      (stage_ == vm_stage::starting || stage_ == vm_stage::booting))
    return become_running();
  return {};
}

auto vm_supervision::on(const lease_seen& in) -> actions {
  vm_report::lease l{in.mac, in.ip};
  auto it = report_.leases.find(in.interface);
  if (it != report_.leases.end() && it->second == l)
    return {}; // a renewal
  report_.leases[in.interface] = l;
  if (stage_ == vm_stage::running)
    return {act(kind::write_status)};
  return {}; // written with Running
}

auto vm_supervision::on(const watch_lost& in) -> actions {
  if (stage_ == vm_stage::awaiting_launcher)
    return {};
  return fail("LauncherLost", "lost the connection to the launcher without a final phase: " + in.reason.to_string());
}

auto vm_supervision::on(const deletion_requested& in) -> actions {
  if (stage_ == vm_stage::shutting_down)
    return {};
  deletion_seen_ = true;
  pending_grace_ = in.grace_seconds;
  if (stage_ == vm_stage::awaiting_launcher && initial_phase_ == "Running") {
    // Re-adopting a running VM that is being deleted: shut it down once connected.
    return {};
  }
  if (stage_ == vm_stage::awaiting_launcher) {
    // Nothing was started here: the controller deletes the pod, and there is no status
    // of ours to write.
    actions out;
    enter(vm_stage::finished, std::chrono::seconds{0}, out);
    out.push_back(act(kind::finish));
    return out;
  }
  actions out;
  auto a = act(kind::send_shutdown);
  a.grace_seconds = in.grace_seconds;
  out.push_back(a);
  out.push_back(event("Normal", "ShuttingDown",
                      in.grace_seconds ? "shutting the VM down, grace period " + std::to_string(*in.grace_seconds) + " s"
                                       : "shutting the VM down"));
  auto wait = std::chrono::seconds{in.grace_seconds.value_or(30)} + timeouts_.shutdown_slack;
  enter(vm_stage::shutting_down, wait, out);
  return out;
}

auto vm_supervision::on(const shutdown_answered& in) -> actions {
  if (stage_ != vm_stage::shutting_down || in.result.ok())
    return {};
  // The wait still runs: a launcher that is already finishing reports its phase.
  return {event("Warning", "ShutdownFailed", "the launcher refused shutdown: " + in.result.to_string())};
}

auto vm_supervision::on(const wait_expired& in) -> actions {
  if (in.id != wait_id_ || wait_length_.count() == 0)
    return {};
  switch (stage_) {
    case vm_stage::awaiting_launcher:
      return fail("LauncherUnavailable", "the launcher's control socket did not answer within " +
                                            seconds_text(wait_length_) +
                                            (last_connect_error_.empty() ? "" : ": " + last_connect_error_));
    case vm_stage::wiring_network:
    case vm_stage::starting:
      return fail("StartTimeout", "the VM was not started within " + seconds_text(wait_length_) + " (stuck in " +
                                    std::string{to_string(stage_)} + ")");
    case vm_stage::booting:
      return fail("BootTimeout", "the launcher did not report running within " + seconds_text(wait_length_));
    case vm_stage::shutting_down:
      return fail("ShutdownTimeout", "the VM did not finish within " + seconds_text(wait_length_) + " of shutdown");
    default:
      return {};
  }
}

auto vm_supervision::become_running() -> actions {
  actions out;
  report_.phase = "Running";
  enter(vm_stage::running, std::chrono::seconds{0}, out);
  out.push_back(act(kind::write_status));
  out.push_back(event("Normal", "Running", "the VM is running"));
  return out;
}

auto vm_supervision::fail(std::string reason, std::string message) -> actions {
  actions out;
  report_.phase = "Failed";
  report_.reason = reason;
  report_.message = message;
  enter(vm_stage::finished, std::chrono::seconds{0}, out);
  out.push_back(act(kind::write_status));
  out.push_back(event("Warning", std::move(reason), std::move(message)));
  out.push_back(act(kind::finish));
  return out;
}

auto vm_supervision::succeed() -> actions {
  actions out;
  report_.phase = "Succeeded";
  enter(vm_stage::finished, std::chrono::seconds{0}, out);
  out.push_back(act(kind::write_status));
  out.push_back(event("Normal", "Succeeded", "the VM shut down"));
  out.push_back(act(kind::finish));
  return out;
}

} // namespace podvisor::actors::agent
