#include "actors/launcher/vm_lifecycle.hpp"

#include "common/format.hpp"

namespace podvisor::actors::launcher {

using virt::domain_event;
using virt::domain_state;

std::string_view to_string(vm_phase p) {
  switch (p) {
  case vm_phase::idle: return "idle";
  case vm_phase::starting: return "starting";
  case vm_phase::running: return "running";
  case vm_phase::paused: return "paused";
  case vm_phase::shutting_down: return "shutting_down";
  case vm_phase::succeeded: return "succeeded";
  case vm_phase::failed: return "failed";
  }
  return "unknown";
}

vm_lifecycle::vm_lifecycle(virt::connection& conn, std::string domain_name, reporter report, log_reader qemu_log)
    : conn_(conn), name_(std::move(domain_name)), report_(std::move(report)), qemu_log_(std::move(qemu_log)) {}

int vm_lifecycle::exit_code() const {
  switch (phase_) {
  case vm_phase::succeeded: return 0;
  case vm_phase::failed: return 1;
  default: return -1;
  }
}

void vm_lifecycle::move_to(vm_phase p, std::string reason) {
  if (finished())
    return; // the outcome is final: late events never rewrite it
  if (p == phase_ && reason == reason_)
    return;
  phase_ = p;
  reason_ = std::move(reason);
  if (report_)
    report_(phase_change{phase_, reason_});
}

std::string vm_lifecycle::with_qemu_log(std::string reason) const {
  if (!qemu_log_)
    return reason;
  auto tail = qemu_log_();
  if (tail.empty())
    return reason;
  return format("{}; QEMU log: {}", reason, tail);
}

error vm_lifecycle::start(const std::string& domain_xml) {
  if (phase_ != vm_phase::idle)
    return error{errc::conflict, format("domain {} was already started (phase {})", name_, phase_)};
  move_to(vm_phase::starting, "defining the domain");
  auto defined = conn_.define_domain(domain_xml);
  if (!defined) {
    move_to(vm_phase::failed, format("define failed: {}", defined.error().message));
    return defined.error();
  }
  if (*defined != name_) {
    auto err = error{errc::internal, format("libvirt defined {}, expected {}", *defined, name_)};
    move_to(vm_phase::failed, err.message);
    return err;
  }
  move_to(vm_phase::starting, "starting QEMU");
  if (auto err = conn_.start_domain(name_); !err.ok()) {
    move_to(vm_phase::failed, with_qemu_log(format("start failed: {}", err.message)));
    return err;
  }
  // The "started" event may have been delivered before we got here, or be on its way;
  // libvirt's state settles it either way.
  if (auto st = conn_.status(name_); st && st->state == domain_state::running && phase_ == vm_phase::starting)
    move_to(vm_phase::running, "domain started");
  return {};
}

void vm_lifecycle::on_event(const domain_event& ev) {
  if (ev.domain != name_ || finished())
    return;
  switch (ev.what) {
  case domain_event::kind::started:
  case domain_event::kind::resumed:
    if (phase_ == vm_phase::starting || phase_ == vm_phase::paused)
      move_to(vm_phase::running, ev.what == domain_event::kind::started ? "domain started" : "domain resumed");
    break;
  case domain_event::kind::suspended:
    if (phase_ == vm_phase::running)
      move_to(vm_phase::paused, format("domain paused ({})", ev.detail));
    break;
  case domain_event::kind::shutdown:
    // The guest has begun or finished powering off; "stopped" follows.
    break;
  case domain_event::kind::stopped:
  case domain_event::kind::crashed:
    stopped(ev);
    break;
  default:
    break;
  }
}

void vm_lifecycle::stopped(const domain_event& ev) {
  if (ev.what == domain_event::kind::stopped && ev.graceful) {
    move_to(vm_phase::succeeded, shutdown_requested_ ? "guest powered off after the shutdown request"
                                                     : "guest powered off on its own");
    return;
  }
  if (shutdown_requested_ && destroyed_by_us_) {
    move_to(vm_phase::succeeded, "destroyed after the grace period: the guest did not power off in time");
    return;
  }
  move_to(vm_phase::failed, with_qemu_log(format("QEMU stopped unexpectedly ({})", ev.detail)));
}

void vm_lifecycle::abandon(std::string reason) {
  if (phase_ == vm_phase::idle)
    move_to(vm_phase::failed, std::move(reason));
}

error vm_lifecycle::request_shutdown() {
  if (finished())
    return {};
  if (phase_ == vm_phase::idle) {
    move_to(vm_phase::succeeded, "shut down before the domain was started");
    return {};
  }
  if (shutdown_requested_)
    return {};
  shutdown_requested_ = true;
  if (phase_ == vm_phase::starting || phase_ == vm_phase::paused) {
    // A guest that is not running cannot react to the power button.
    grace_expired();
    return {};
  }
  move_to(vm_phase::shutting_down, "ACPI power button pressed");
  if (auto err = conn_.shutdown_domain(name_); !err.ok()) {
    // The guest may have stopped between our check and the call; the event decides.
    // Otherwise the grace period ends in destroy.
    return err;
  }
  return {};
}

void vm_lifecycle::grace_expired() {
  if (finished())
    return;
  if (phase_ != vm_phase::shutting_down && !shutdown_requested_)
    return;
  destroyed_by_us_ = true;
  auto err = conn_.destroy_domain(name_);
  auto st = conn_.status(name_);
  if (st && st->state == domain_state::shut_off) {
    // The stopped event follows, but the outcome is known now and must not wait for it
    // (the daemon may be on its way down).
    move_to(vm_phase::succeeded, phase_ == vm_phase::shutting_down
                                     ? "destroyed after the grace period: the guest did not power off in time"
                                     : "destroyed: shut down before the guest was running");
    return;
  }
  if (!err.ok())
    move_to(vm_phase::failed, format("destroy failed: {}", err.message));
}

error vm_lifecycle::pause() {
  if (phase_ != vm_phase::running)
    return error{errc::conflict, format("cannot pause: domain is {}", phase_)};
  return conn_.suspend_domain(name_);
}

error vm_lifecycle::resume() {
  if (phase_ != vm_phase::paused)
    return error{errc::conflict, format("cannot resume: domain is {}", phase_)};
  return conn_.resume_domain(name_);
}

void vm_lifecycle::on_connection_lost(const error& why, bool daemon_alive) {
  if (finished() || daemon_alive)
    return; // the caller reconnects and resyncs
  move_to(vm_phase::failed, with_qemu_log(format("libvirt daemon died: {}", why.message)));
}

void vm_lifecycle::resync() {
  if (finished() || phase_ == vm_phase::idle)
    return;
  auto st = conn_.status(name_);
  if (!st) {
    if (st.error() == errc::not_found)
      move_to(vm_phase::failed, "domain disappeared while the connection was down");
    return;
  }
  switch (st->state) {
  case domain_state::running:
  case domain_state::blocked:
    if (phase_ == vm_phase::starting || phase_ == vm_phase::paused)
      move_to(vm_phase::running, "running (after reconnect)");
    break;
  case domain_state::paused:
    if (phase_ == vm_phase::running)
      move_to(vm_phase::paused, "paused (after reconnect)");
    break;
  case domain_state::shut_off:
  case domain_state::crashed: {
    domain_event ev;
    ev.what = domain_event::kind::stopped;
    ev.domain = name_;
    ev.detail = st->reason;
    ev.graceful = st->reason.find("shutdown") != std::string::npos;
    stopped(ev);
    break;
  }
  default:
    break;
  }
}

} // namespace podvisor::actors::launcher
