#include "actors/agent/vm_supervisor.hpp"

#include <utility>

#include <atomic>

#include <caf/actor_system.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/agent/network_plan.hpp"
#include "actors/agent/vm_status.hpp"
#include "actors/kube/status_writer.hpp"
#include "actors/system/config.hpp"
#include "kube/api/timestamp.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::agent {

namespace {

using kind = supervision_action::kind;

struct vm_supervisor_state {
  static inline const char* name = "vm_supervisor";
  vm_supervisor_config config;
  vm_supervisor_deps deps;
  vm_supervision machine;
  protocols::kube_object vmi;
  std::string vmi_namespace, vmi_name;
  log::logger log;
  bool watching = false;
  /// What introspection shows (published to config.registry after each change).
  vm_snapshot snapshot;
  /// Jobs posted to the command executor and not finished, and whether the watch runs:
  /// the executors' queue depth, counted here since a detached actor's mailbox cannot be
  /// read from another thread.
  std::shared_ptr<std::atomic<std::size_t>> commands_pending = std::make_shared<std::atomic<std::size_t>>(0);
  std::shared_ptr<std::atomic<std::size_t>> watch_running = std::make_shared<std::atomic<std::size_t>>(0);
  /// Messages each actor handled so far (podvisor_actor_messages_total: its rate is the
  /// actor's message rate): the supervisor's own, the command jobs finished, the watch
  /// events received.
  std::uint64_t handled = 0;
  std::shared_ptr<std::atomic<std::uint64_t>> commands_done = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::shared_ptr<std::atomic<std::uint64_t>> watch_events = std::make_shared<std::atomic<std::uint64_t>>(0);
  bool refreshing = false;

  vm_supervisor_state() = default;
  vm_supervisor_state(const vm_supervisor_state&) = delete;
  vm_supervisor_state& operator=(const vm_supervisor_state&) = delete;
  /// The watch thread must not outlive its VM's supervision.
  ~vm_supervisor_state() {
    if (deps.backend)
      deps.backend->cancel();
    if (config.registry)
      config.registry->remove(snapshot.namespace_, snapshot.name, snapshot.uid);
  }
};

using supervisor_pointer = vm_supervisor_actor::stateful_pointer<vm_supervisor_state>;

/// Sends an input back to the supervisor from any thread; a supervisor that is gone
/// is not kept alive by its jobs (weak address).
class input_sender {
public:
  explicit input_sender(caf::actor_addr owner) : owner_(std::move(owner)) {}
  void operator()(supervision_input in) const {
    if (auto actor = caf::actor_cast<vm_supervisor_actor>(owner_))
      caf::anon_send(actor, vm_input{std::move(in)});
  }

private:
  caf::actor_addr owner_;
};

std::optional<std::int64_t> grace_of(const nlohmann::json& vmi) {
  auto spec = vmi.find("spec");
  if (spec != vmi.end() && spec->is_object()) {
    auto g = spec->find("terminationGracePeriodSeconds");
    if (g != spec->end() && g->is_number_integer())
      return g->get<std::int64_t>();
  }
  return std::nullopt;
}

bool being_deleted(const protocols::kube_object& vmi) {
  const auto& m = vmi->value("metadata", nlohmann::json::object());
  return m.is_object() && m.contains("deletionTimestamp") && !m["deletionTimestamp"].is_null();
}

void carry_out(supervisor_pointer self, std::vector<supervision_action> actions);

wall_time wall_now(const vm_supervisor_state& st) {
  return st.config.clock != nullptr ? st.config.clock->wall_now() : std::chrono::system_clock::now();
}

/// Posts a job to the command executor, counted while it waits or runs.
template <class F>
void post_command(supervisor_pointer self, F job) {
  auto pending = self->state.commands_pending;
  pending->fetch_add(1);
  self->state.deps.commands->post([pending, done = self->state.commands_done, job = std::move(job)]() mutable {
    job();
    pending->fetch_sub(1);
    done->fetch_add(1);
  });
}

/// Brings the snapshot up to date with the state machine and publishes it.
void publish(supervisor_pointer self) {
  auto& st = self->state;
  if (!st.config.registry)
    return;
  auto& s = st.snapshot;
  const auto& report = st.machine.report();
  auto now = wall_now(st);
  s.transition(state_name(to_string(st.machine.stage())), now,
               st.machine.stage() == vm_stage::finished ? report.reason : std::string{});
  if (!report.phase.empty())
    s.phase = report.phase;
  s.reason = report.reason;
  if (st.machine.launcher_pid() > 0)
    s.launcher.pid = st.machine.launcher_pid();
  for (const auto& [interface, lease] : report.leases)
    s.add_lease(interface, lease.mac, lease.ip, now);
  s.children = {
    {"vm_supervisor", st.config.restarts, self->mailbox().size(), st.handled},
    {"commands", 0, st.commands_pending->load(), st.commands_done->load()},
    {"watch", 0, st.watch_running->load(), st.watch_events->load()},
  };
  st.config.registry->publish(s);
}

/// Asks the launcher's status: domain state and statistics for introspection, and the
/// leases (see the vm_observation handler).
void post_observe_status(supervisor_pointer self) {
  post_command(self, [backend = self->state.deps.backend, owner = self->address()] {
    auto status = backend->status();
    if (!status)
      return;
    if (auto actor = caf::actor_cast<vm_supervisor_actor>(owner))
      caf::anon_send(actor, vm_observation{std::move(*status), std::nullopt});
  });
}

void post_observe_wiring(supervisor_pointer self) {
  post_command(self, [backend = self->state.deps.backend, owner = self->address()] {
    auto wiring = backend->wiring();
    if (auto actor = caf::actor_cast<vm_supervisor_actor>(owner))
      caf::anon_send(actor, vm_observation{std::nullopt, std::move(wiring)});
  });
}

void feed(supervisor_pointer self, const supervision_input& in) {
  auto& st = self->state;
  auto before = st.machine.stage();
  carry_out(self, st.machine.handle(in));
  auto after = st.machine.stage();
  // While running, the launcher's status is read again every stats_interval: statistics
  // for introspection, and any lease the watch did not deliver.
  if (after == vm_stage::running && before != vm_stage::running) {
    post_observe_status(self);
    if (!st.refreshing) {
      st.refreshing = true;
      self->delayed_send(self, st.config.stats_interval, vm_refresh_atom_v);
    }
  }
  if (!st.config.registry)
    return;
  // The wiring is on disk once phase 1 finished (or, re-adopting, from the first agent).
  if (std::holds_alternative<network_wired>(in)
      || (std::holds_alternative<launcher_connected>(in) && st.machine.adopted()))
    post_observe_wiring(self);
  publish(self);
}

void post_connect(supervisor_pointer self) {
  auto& st = self->state;
  post_command(self, [backend = st.deps.backend, timeout = st.config.connect_timeout,
                      send = input_sender{self->address()}] {
    auto hello = backend->connect(timeout);
    if (hello)
      send(launcher_connected{hello->pid, hello->awaiting_start});
    else
      send(launcher_unreachable{hello.error()});
  });
}

void post_status(supervisor_pointer self) {
  auto& st = self->state;
  post_command(self, [backend = st.deps.backend, send = input_sender{self->address()},
                      owner = self->address(), observe = static_cast<bool>(st.config.registry)] {
    // A re-adopted VM learns its phase only here (the watch reports changes), so a
    // failed query is retried (the backend reconnects a broken connection) before
    // the boot wait decides.
    auto status = backend->status();
    for (int attempt = 1; !status && attempt < 3; ++attempt)
      status = backend->status();
    if (!status)
      return;
    for (const auto& l : status->leases)
      send(lease_seen{l.interface, l.mac, l.ip});
    send(launcher_phase_seen{status->phase, status->reason});
    if (observe)
      if (auto actor = caf::actor_cast<vm_supervisor_actor>(owner))
        caf::anon_send(actor, vm_observation{std::move(*status), std::nullopt});
  });
}

void post_watch(supervisor_pointer self) {
  auto& st = self->state;
  if (st.watching)
    return;
  st.watching = true;
  st.watch_running->store(1);
  st.deps.watcher->post([backend = st.deps.backend, send = input_sender{self->address()},
                         running = st.watch_running, events = st.watch_events] {
    struct done_flag {
      std::shared_ptr<std::atomic<std::size_t>> flag;
      ~done_flag() { flag->store(0); }
    } done{running};
    backend->watch([send, events](const expected<backend_event>& ev) {
      events->fetch_add(1);
      if (!ev) {
        send(watch_lost{ev.error()});
      } else if (ev->what == backend_event::kind::lease) {
        send(lease_seen{ev->lease.interface, ev->lease.mac, ev->lease.ip});
      } else {
        send(launcher_phase_seen{ev->phase, ev->reason});
      }
    });
  });
}

void post_wiring(supervisor_pointer self) {
  auto& st = self->state;
  auto plans = plan_interfaces(st.vmi.json(), st.config.vmi_dir);
  if (!plans) {
    feed(self, network_failed{plans.error()});
    return;
  }
  post_command(self, [backend = st.deps.backend, pid = st.machine.launcher_pid(), plans = std::move(*plans),
                      send = input_sender{self->address()}] {
    if (plans.empty()) {
      send(network_wired{});
      return;
    }
    auto wired = backend->wire_network(pid, plans);
    if (wired)
      send(network_wired{std::move(*wired)});
    else
      send(network_failed{wired.error()});
  });
}

void write_status(supervisor_pointer self) {
  auto& st = self->state;
  const podvisor::clock& clock = st.config.clock != nullptr ? *st.config.clock : podvisor::real_clock::instance();
  vm_status_facts facts;
  facts.now = podvisor::kube::api::format_timestamp(podvisor::kube::api::timestamp{clock.wall_now()});
  facts.software_emulation = st.config.software_emulation && st.config.software_emulation();
  auto change = kube::mutate_status(st.vmi_namespace, st.vmi_name,
                                    [report = st.machine.report(), facts](nlohmann::json& o) -> podvisor::error {
                                      apply_vm_report(o, report, facts); // nothing to do: no write
                                      return {};
                                    });
  self->request(st.deps.vmi_status, caf::infinite, std::move(change))
    .then([](const protocols::kube_object&) {},
          [self](caf::error& err) {
            auto e = protocols::from_caf_error(self->system(), err);
            self->state.log.warn("status not written: {}", e.to_string());
          });
}

void carry_out(supervisor_pointer self, std::vector<supervision_action> actions) {
  auto& st = self->state;
  for (auto& a : actions) {
    st.log.debug("{} → {}", to_string(st.machine.stage()), describe(a));
    switch (a.what) {
      case kind::connect:
        post_connect(self);
        break;
      case kind::connect_later:
        self->delayed_send(self, st.config.connect_retry, vm_connect_atom_v);
        break;
      case kind::start_watch:
        post_watch(self);
        break;
      case kind::wire_network:
        post_wiring(self);
        break;
      case kind::send_start:
        post_command(self, [backend = st.deps.backend, networks = st.machine.network_results(),
                            send = input_sender{self->address()}] { send(start_answered{backend->start(networks)}); });
        break;
      case kind::query_status:
        post_status(self);
        break;
      case kind::send_shutdown:
        post_command(self, [backend = st.deps.backend, grace = a.grace_seconds,
                            send = input_sender{self->address()}] { send(shutdown_answered{backend->shutdown(grace)}); });
        break;
      case kind::write_status:
        write_status(self);
        break;
      case kind::record_event: {
        protocols::event_record ev;
        ev.involved = protocols::reference_to(st.vmi, "kubevirt.io/v1", "VirtualMachineInstance");
        ev.type = a.event_type;
        ev.reason = a.reason;
        ev.message = a.message;
        if (a.event_type == "Warning") {
          st.log.warn("{}: {}", a.reason, a.message);
          st.snapshot.add_error(a.reason + ": " + a.message, wall_now(st));
        }
        else
          st.log.info("{}: {}", a.reason, a.message);
        self->send(st.deps.recorder, std::move(ev));
        break;
      }
      case kind::arm_wait:
        self->delayed_send(self, a.delay, vm_input{wait_expired{a.wait_id}});
        break;
      case kind::finish:
        st.deps.backend->cancel();
        self->quit();
        return;
    }
  }
}

vm_supervisor_actor::behavior_type supervisor_behavior(supervisor_pointer self, vm_supervisor_config config,
                                                       vm_supervisor_deps deps, protocols::kube_object vmi) {
  auto& st = self->state;
  st.vmi_namespace = std::string{vmi.namespace_()};
  st.vmi_name = std::string{vmi.name()};
  st.log = make_logger(self, "agent", "vm " + vmi.key());
  install_exception_handler(self, st.log);
  const auto& status = vmi->value("status", nlohmann::json::object());
  std::string phase = status.is_object() ? status.value("phase", "") : "";
  st.machine = vm_supervision{config.timeouts, phase};
  st.config = std::move(config);
  st.deps = std::move(deps);
  st.vmi = std::move(vmi);
  st.snapshot.namespace_ = st.vmi_namespace;
  st.snapshot.name = st.vmi_name;
  st.snapshot.uid = std::string{st.vmi.uid()};
  st.snapshot.node = st.config.node;
  st.snapshot.phase = phase;
  st.snapshot.launcher.socket = (st.config.vmi_dir / "control.sock").string();
  carry_out(self, st.machine.begin());
  publish(self);
  if (being_deleted(st.vmi))
    feed(self, deletion_requested{grace_of(st.vmi.json())});
  return {
    /// An answer, an event or an expired wait.
    [self](vm_input& in) {
      ++self->state.handled;
      feed(self, in.input);
    },
    /// The VMI changed: keep it; a new deletionTimestamp starts the shutdown.
    [self](protocols::kube_object& changed) {
      auto& state = self->state;
      ++state.handled;
      bool was_deleted = being_deleted(state.vmi);
      state.vmi = std::move(changed);
      if (!was_deleted && being_deleted(state.vmi))
        feed(self, deletion_requested{grace_of(state.vmi.json())});
    },
    /// Try the launcher's socket again.
    [self](vm_connect_atom) {
      ++self->state.handled;
      if (self->state.machine.stage() == vm_stage::awaiting_launcher)
        post_connect(self);
    },
    /// Introspection data: the launcher's status or the wiring.
    [self](vm_observation& o) {
      ++self->state.handled;
      auto& s = self->state.snapshot;
      if (o.status) {
        // The watch reports a lease once. A first lease whose event never arrived (lost,
        // or given while the watch was being set up) is taken from the status instead;
        // later changes of a known lease stay the watch's, which orders them.
        for (const auto& l : o.status->leases)
          if (!self->state.machine.report().leases.contains(l.interface))
            feed(self, lease_seen{l.interface, l.mac, l.ip});
        s.launcher.domain_state = o.status->domain_state;
        s.launcher.qemu_pid = o.status->qemu_pid;
        s.launcher.cpu_time_ns = o.status->cpu_time_ns;
        s.launcher.memory_kib = o.status->memory_kib;
        s.launcher.vcpus = o.status->vcpus;
        s.launcher.interfaces = o.status->interfaces;
        s.launcher.blocks = o.status->blocks;
      }
      if (o.wiring)
        s.network = std::move(*o.wiring);
      publish(self);
    },
    /// While running: the domain statistics again (one query at a time).
    [self](vm_refresh_atom) {
      auto& state = self->state;
      ++state.handled;
      if (state.machine.stage() != vm_stage::running) {
        state.refreshing = false;
        return;
      }
      if (state.commands_pending->load() == 0)
        post_observe_status(self);
      self->delayed_send(self, state.config.stats_interval, vm_refresh_atom_v);
    },
  };
}

} // namespace

vm_supervisor_actor spawn_vm_supervisor(caf::actor_system& sys, vm_supervisor_config config, vm_supervisor_deps deps,
                                        protocols::kube_object vmi) {
  return sys.spawn(supervisor_behavior, std::move(config), std::move(deps), std::move(vmi));
}

} // namespace podvisor::actors::agent
