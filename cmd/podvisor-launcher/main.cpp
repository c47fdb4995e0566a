// podvisor-launcher: one VM in one pod. Parses flags, decides the acceleration, converts
// the VMI, starts the private libvirt daemon, hands the domain to the launcher actor, and
// tears everything down in order when the VM ends (see options.cpp for the usage text).
// With --await-start the conversion waits for the node agent's start over the command
// channel, which names the network results the agent wired in the pod.
//
// Order of teardown, always: the domain ends (actor) → its definition is removed → the
// libvirt connection closes → the daemon gets SIGTERM and is waited for → the daemon's
// runtime directory goes. The work dir keeps serial.log and the daemon's logs for the
// pod's owner to read; nothing is written outside it.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include <malloc.h>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/launcher/control_server.hpp"
#include "actors/launcher/dhcp_responder_actor.hpp"
#include "actors/launcher/launcher.hpp"
#include "actors/system/config.hpp"
#include "cmd/podvisor-launcher/capabilities_warmup.hpp"
#include "cmd/podvisor-launcher/options.hpp"
#include "cmd/podvisor-launcher/vm_setup.hpp"
#include "common/file_tail.hpp"
#include "common/format.hpp"
#include "common/log.hpp"
#include "podvisor/version.hpp"
#include "virt/daemon/libvirt_daemon.hpp"
#include "virt/libvirt/capabilities_probe.hpp"
#include "virt/libvirt/libvirt_connection.hpp"

namespace fs = std::filesystem;
using namespace podvisor;
using namespace std::chrono_literals;

namespace {

constexpr int exit_usage = 2;

// Signals are blocked in every thread and taken by one thread with sigwait, so that a
// SIGTERM never interrupts a libvirt or CAF thread and is turned into a message instead.
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR2); // the signal thread's own wake-up at exit
  return set;
}

// Events that arrive before the actor exists are kept and handed over once it does.
struct event_relay {
  std::mutex mutex;
  std::optional<actors::launcher::launcher_ref> ref;
  std::vector<virt::domain_event> early_events;
  std::optional<error> early_loss;
  std::vector<actors::launcher::launcher_lease> early_leases;

  void event(const virt::domain_event& ev) {
    std::lock_guard lock(mutex);
    if (ref)
      ref->domain_event(ev);
    else
      early_events.push_back(ev);
  }
  void lost(const error& e) {
    std::lock_guard lock(mutex);
    if (ref)
      ref->connection_lost(e);
    else
      early_loss = e;
  }
  void lease(const actors::launcher::launcher_lease& l) {
    std::lock_guard lock(mutex);
    if (ref)
      ref->lease_given(l);
    else
      early_leases.push_back(l);
  }
  void attach(actors::launcher::launcher_ref r) {
    std::lock_guard lock(mutex);
    ref = r;
    for (auto& ev : early_events)
      ref->domain_event(ev);
    if (early_loss)
      ref->connection_lost(*early_loss);
    for (auto& l : early_leases)
      ref->lease_given(l);
  }
};

// Logs every lease one DHCP responder hands out and passes it to the launcher actor under
// the VMI interface's name (the agent reads it from status and watch).
protocols::dhcp_lease_listener_actor::behavior_type lease_forwarder(log::logger lg, std::string interface,
                                                                    std::shared_ptr<event_relay> relay) {
  return {
    [lg, interface, relay](const protocols::dhcp_lease_given& l) {
      lg.info("DHCP {} {}/{} to {} on {}", l.renewal ? "renewed" : "gave", l.address, l.prefix, l.mac, l.interface);
      relay->lease({interface, l.mac, l.address});
    },
  };
}

// The DHCP responders (and their lease forwarders) of the running VM. Started on the
// launcher actor's thread when the domain is prepared, stopped by main at the end.
struct dhcp_helpers {
  std::mutex mutex;
  std::vector<caf::actor> actors;

  // Starts a responder for every plan; on failure stops those of this call.
  error start(caf::actor_system& sys, const std::vector<launcher_cmd::dhcp_plan>& plans,
              const std::shared_ptr<event_relay>& relay, const log::logger& lg) {
    std::vector<caf::actor> started;
    auto undo = [&](error e) {
      for (auto& a : started)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
      return e;
    };
    for (const auto& plan : plans) {
      auto sock = net::dhcp::dhcp_socket::open(plan.bridge);
      if (!sock)
        return undo(error{sock.error().code, format("DHCP for interface {} on {}: {}", plan.interface, plan.bridge,
                                                    sock.error().message)});
      auto forwarder = sys.spawn(lease_forwarder, lg, plan.interface, relay);
      started.push_back(caf::actor_cast<caf::actor>(forwarder));
      actors::launcher::dhcp_responder_config rc;
      rc.interface = plan.bridge;
      rc.lease = plan.lease;
      auto r = actors::launcher::spawn_dhcp_responder(sys, rc, std::move(*sock), forwarder);
      if (!r)
        return undo(error{r.error().code, format("DHCP for interface {}: {}", plan.interface, r.error().message)});
      started.push_back(caf::actor_cast<caf::actor>(*r));
      lg.info("DHCP responder for interface {} on {}", plan.interface, plan.bridge);
    }
    std::lock_guard lock(mutex);
    actors.insert(actors.end(), started.begin(), started.end());
    return {};
  }

  void stop() {
    std::lock_guard lock(mutex);
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    actors.clear();
  }
};

long ms_since(std::chrono::steady_clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count());
}

} // namespace

int main(int argc, char** argv) {
  auto t0 = std::chrono::steady_clock::now();
  // A dozen threads (CAF's, libvirt's event loop, the DHCP responder, the command
  // channel...) would each get a glibc malloc arena of their own, each keeping its pages;
  // the launcher allocates little, and one arena serves it. One launcher runs per VM.
  mallopt(M_ARENA_MAX, 1);
  sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (auto e = log::configure_from_env(); !e.ok()) {
    std::fprintf(stderr, "podvisor-launcher: PODVISOR_LOG: %s\n", e.message.c_str());
    return exit_usage;
  }
  auto parsed = launcher_cmd::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::fprintf(stderr, "podvisor-launcher: %s\n", parsed.error().message.c_str());
    return exit_usage;
  }
  auto& opts = *parsed;
  if (opts.help) {
    std::fputs(launcher_cmd::usage, stdout);
    return 0;
  }
  if (opts.version) {
    std::printf("podvisor-launcher %s\n", podvisor::version_string);
    return 0;
  }
  if (!opts.log_level.empty()) {
    if (auto e = log::configure(opts.log_level); !e.ok()) {
      std::fprintf(stderr, "podvisor-launcher: --log-level: %s\n", e.message.c_str());
      return exit_usage;
    }
  }
  log::logger lg{"launcher"};

  // Everything that can be refused is checked before a daemon is started: the whole
  // conversion, or with --await-start what is known before the agent's start.
  std::optional<launcher_cmd::prepared_vm> vm;
  launcher_cmd::vmi_summary summary;
  if (opts.warm_capabilities) {
    summary.domain_name = "capabilities-warmup";
  } else if (opts.await_start_s) {
    auto s = launcher_cmd::read_vmi_summary(opts);
    if (!s) {
      lg.error("{}", s.error().message);
      return exit_usage;
    }
    summary = *s;
  } else {
    auto v = launcher_cmd::prepare_vm(opts);
    if (!v) {
      lg.error("{}", v.error().message);
      return exit_usage;
    }
    vm = std::move(*v);
    summary = {vm->domain_name, vm->grace_period_s};
  }
  lg = log::logger{"launcher", summary.domain_name};
  auto log_prepared = [&lg](const launcher_cmd::prepared_vm& v) {
    lg.info("acceleration: {} ({})", v.accel_name, v.accel_reason);
    lg.debug("domain XML:\n{}", v.domain_xml);
  };
  if (vm)
    log_prepared(*vm);

  std::atomic<bool> stop_requested{false};
  std::mutex ref_mutex;
  std::optional<actors::launcher::launcher_ref> running_ref;
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0)
        continue;
      if (sig == SIGUSR2)
        return;
      lg.info("{} received: shutting down gracefully", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      stop_requested = true;
      std::lock_guard lock(ref_mutex);
      if (running_ref)
        running_ref->shutdown();
    }
  });
  auto stop_signal_thread = [&] {
    pthread_kill(signal_thread.native_handle(), SIGUSR2);
    signal_thread.join();
  };

  std::error_code ec;
  fs::create_directories(opts.work_dir, ec);
  fs::permissions(opts.work_dir, fs::perms::owner_all, ec);

  // The private daemon.
  virt::daemon_options dopts;
  dopts.root = opts.work_dir / "libvirt";
  dopts.node_capabilities_cache = opts.capabilities_cache;
  auto daemon = virt::libvirt_daemon::start(dopts);
  if (!daemon) {
    lg.error("{}", daemon.error().message);
    stop_signal_thread();
    return 1;
  }
  lg.info("libvirt daemon ready in {} ms (pid {}, host UUID {}, {} capabilities entries seeded)",
          (*daemon)->start_duration().count(), (*daemon)->pid(), (*daemon)->host_uuid(), (*daemon)->seeded_entries());

  auto teardown = [&](int code) {
    auto how = (*daemon)->stop();
    lg.info("libvirt daemon stopped ({})", how);
    fs::remove_all((*daemon)->paths().run, ec);
    stop_signal_thread();
    return code;
  };
  if (stop_requested) {
    lg.info("stopped before the domain was started");
    return teardown(0);
  }
  if (opts.warm_capabilities) {
    // Nothing else to do with the daemon: a connection of the probe's own.
    auto query = [&]() -> error {
      auto took = virt::probe_qemu_capabilities((*daemon)->uri());
      return took ? error{} : took.error();
    };
    auto warmed = launcher_cmd::probe_capabilities_ahead(**daemon, query, opts.capabilities_cache, lg, 120s);
    if (!warmed) {
      lg.error("QEMU capabilities not probed: {}\n{}", warmed.error().to_string(), (*daemon)->log_tail());
      return teardown(1);
    }
    lg.info("node capabilities cache {} is warm ({}; {} ms since start)", opts.capabilities_cache.string(), *warmed,
            ms_since(t0));
    return teardown(0);
  }

  auto relay = std::make_shared<event_relay>();
  virt::connection_options copts;
  copts.qemu_pid_dir = (*daemon)->paths().qemu_pid_dir().string();
  auto t_connect = std::chrono::steady_clock::now();
  auto conn = virt::open_connection(
      (*daemon)->uri(),
      {.on_domain_event = [relay](const virt::domain_event& ev) { relay->event(ev); },
       .on_connection_lost = [relay](const error& e) { relay->lost(e); }},
      copts);
  if (!conn) {
    lg.error("cannot connect to the libvirt daemon: {}\n{}", conn.error().message, (*daemon)->log_tail());
    return teardown(1);
  }
  lg.info("connected to libvirt in {} ms", ms_since(t_connect));

  // Awaiting the agent's start leaves idle time: pay libvirt's QEMU probe now rather than
  // at define, on the path from start to a running domain, and publish it at once for
  // the node's next launchers.
  bool capabilities_published = false;
  if (opts.await_start_s) {
    auto query = [&] { return (*conn)->load_domain_capabilities(); };
    if (auto ahead = launcher_cmd::probe_capabilities_ahead(**daemon, query, opts.capabilities_cache, lg, 60s))
      capabilities_published = true;
    else
      lg.warn("QEMU capabilities not probed ahead of start (the define will): {}", ahead.error().to_string());
  }

  int exit_code = 1;
  {
    actors::system_config cfg;
    cfg.set_scheduler_threads(2);
    caf::actor_system sys{cfg};
    actors::launcher::launcher_settings ls;
    ls.domain_name = summary.domain_name;
    ls.grace_period = std::chrono::seconds(summary.grace_period_s);
    ls.serial_log = opts.work_dir / "serial.log";
    ls.serial_log_max_bytes = opts.serial_log_max_bytes;
    auto qemu_log = (*daemon)->paths().qemu_log_dir() / (summary.domain_name + ".log");
    ls.qemu_log_tail = [qemu_log] { return last_lines(qemu_log, 3); };
    virt::libvirt_daemon* dptr = daemon->get();
    ls.daemon_alive = [dptr] { return dptr->running(); };

    // The DHCP responders listen before the guest exists, so its first DISCOVER is
    // answered: they start when the domain is prepared, just before it is defined.
    dhcp_helpers helpers;
    ls.prepare = [&](const actors::launcher::network_results& networks)
        -> expected<actors::launcher::prepared_domain> {
      if (vm) {
        if (auto e = helpers.start(sys, vm->dhcp, relay, lg); !e.ok())
          return e;
        return actors::launcher::prepared_domain{vm->domain_xml, vm->devices};
      }
      auto o = launcher_cmd::with_start_networks(opts, networks);
      if (!o)
        return o.error();
      auto v = launcher_cmd::prepare_vm(*o);
      if (!v)
        return error{v.error().code == errc::unsupported ? errc::unsupported : errc::invalid_argument,
                     v.error().message};
      log_prepared(*v);
      if (auto e = helpers.start(sys, v->dhcp, relay, lg); !e.ok())
        return e;
      return actors::launcher::prepared_domain{std::move(v->domain_xml), std::move(v->devices)};
    };
    if (opts.await_start_s)
      ls.await_start = std::chrono::seconds(*opts.await_start_s);

    auto t_start = std::chrono::steady_clock::now();
    auto ref = actors::launcher::start_launcher(sys, **conn, ls);
    relay->attach(ref);
    std::atomic<bool> announced{false};
    ref.subscribe([&, t_start](const actors::launcher::phase_change& c) {
      if (c.phase == actors::launcher::vm_phase::running && !announced) {
        announced = true;
        lg.info("domain running {} ms after define (launcher start → running: {} ms)", ms_since(t_start),
                ms_since(t0));
      }
    });
    {
      std::lock_guard lock(ref_mutex);
      running_ref = ref;
      if (stop_requested)
        ref.shutdown();
    }
    bool control_failed = false;
    auto control = actors::launcher::control_server::start(opts.control_socket, ref, summary.domain_name,
                                                          format("podvisor-launcher {}", podvisor::version_string));
    if (!control && opts.await_start_s) {
      // Nobody could ever say start.
      lg.error("command channel unavailable: {}", control.error().message);
      control_failed = true;
      ref.shutdown(0s);
    } else if (!control) {
      lg.warn("command channel unavailable: {}", control.error().message);
    } else if (opts.await_start_s) {
      lg.info("command channel on {}; awaiting the node agent's start for {} s", opts.control_socket.string(),
              *opts.await_start_s);
    } else {
      lg.info("command channel on {}", opts.control_socket.string());
    }

    // Unless it was paid ahead of start, the capabilities probe has happened once the
    // domain is defined; publish it for the next launcher on this node as soon as the VM
    // runs.
    bool published = capabilities_published;
    std::optional<actors::launcher::launcher_outcome> outcome;
    while (!(outcome = ref.wait_for(500ms))) {
      if (!published && announced) {
        published = true;
        if (auto o = (*daemon)->publish_capabilities())
          lg.info("QEMU capabilities cache: {}", *o);
        else
          lg.warn("QEMU capabilities cache not published: {}", o.error());
      }
    }
    {
      std::lock_guard lock(ref_mutex);
      running_ref.reset();
    }
    if (control)
      (*control)->stop();
    helpers.stop();
    exit_code = control_failed ? 1 : outcome->exit_code;
    if (exit_code == 0)
      lg.info("VM {}: {}", outcome->phase, outcome->reason);
    else
      lg.error("VM {}: {}", outcome->phase, outcome->reason);
  }
  conn->reset();
  return teardown(exit_code);
}
