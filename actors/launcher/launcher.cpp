#include "actors/launcher/launcher.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/launcher/log_rotation.hpp"
#include "common/format.hpp"
#include "common/log.hpp"

// Node-local messages between the launcher's own threads and its actor: they never cross
// a process boundary (the agent talks to the launcher through the command channel).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::virt::domain_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::error)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::launcher::launcher_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::launcher::launcher_lease)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::launcher::network_results)

CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_start_atom, "l_start")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_event_atom, "l_event")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_lost_atom, "l_lost")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_shutdown_atom, "l_shutdown")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_grace_atom, "l_grace")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_pause_atom, "l_pause")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_resume_atom, "l_resume")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_status_atom, "l_status")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_tick_atom, "l_tick")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_begin_atom, "l_begin")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_await_atom, "l_await")
CAF_ADD_ATOM(podvisor, podvisor::actors::launcher, lnch_lease_atom, "l_lease")

namespace podvisor::actors::launcher {

namespace {
constexpr auto request_timeout = std::chrono::seconds(30);
} // namespace

/// What the handle and the actor share: subscribers and the outcome.
struct launcher_ref::shared {
  caf::actor_system* sys = nullptr;
  // Weak: the actor's state holds this struct, and handles live on in callbacks after
  // the VM ended; a strong handle here would keep the detached actor (and its thread)
  // alive forever and the actor system's shutdown would wait for it.
  caf::actor_addr actor;

  caf::actor strong() const { return caf::actor_cast<caf::actor>(actor); }
  std::mutex mutex;
  std::condition_variable finished_cv;
  std::optional<launcher_outcome> outcome;
  bool actor_done = false;
  std::map<int, std::function<void(const phase_change&)>> subscribers;
  std::map<int, std::function<void(const launcher_lease&)>> lease_subscribers;
  int next_id = 1;
  /// Read by the command channel's hello without a round trip to the actor.
  std::atomic<bool> awaiting{false};

  void publish(const phase_change& c) {
    std::vector<std::function<void(const phase_change&)>> fns;
    {
      std::lock_guard lock(mutex);
      for (auto& [id, fn] : subscribers)
        fns.push_back(fn);
    }
    for (auto& fn : fns)
      fn(c);
  }

  void publish(const launcher_lease& l) {
    std::vector<std::function<void(const launcher_lease&)>> fns;
    {
      std::lock_guard lock(mutex);
      for (auto& [id, fn] : lease_subscribers)
        fns.push_back(fn);
    }
    for (auto& fn : fns)
      fn(l);
  }
};

namespace {

struct launcher_state {
  std::shared_ptr<launcher_ref::shared> shared;
  virt::connection* conn = nullptr;
  launcher_settings settings;
  std::unique_ptr<vm_lifecycle> life;
  bool connection_down = false;
  /// Whether define was tried (only then is there a definition to remove at the end).
  bool start_attempted = false;
  std::map<std::string, launcher_lease> leases;
  /// The started domain's devices by libvirt's name → the VMI's (for the statistics).
  virt::device_names devices;
  std::string lost_reason;
  std::uint64_t grace_generation = 0;
  std::chrono::steady_clock::time_point started_at = std::chrono::steady_clock::now();
  log::logger lg{"launcher"};
  static inline const char* name = "podvisor.launcher";
};

using launcher_actor = caf::stateful_actor<launcher_state>;

void finish_if_done(launcher_actor* self) {
  auto& st = self->state;
  if (!st.life->finished())
    return;
  // The VM is over: its definition goes with it, so a later launcher on the same
  // directory starts clean. QEMU is gone already (stopped or destroyed).
  st.shared->awaiting = false;
  if (!st.connection_down && st.start_attempted)
    st.conn->undefine_domain(st.settings.domain_name);
  {
    std::lock_guard lock(st.shared->mutex);
    st.shared->outcome = launcher_outcome{st.life->exit_code(), st.life->phase(), st.life->reason()};
  }
  self->quit();
}

// Prepares and starts the domain. A preparation that fails leaves the launcher as it was
// when it awaits start (the agent may fix the file and ask again), and fails it otherwise.
error begin(launcher_actor* self, const network_results& networks) {
  auto& st = self->state;
  prepared_domain dom = st.settings.domain;
  if (st.settings.prepare) {
    auto prepared = st.settings.prepare(networks);
    if (!prepared) {
      if (!st.shared->awaiting)
        st.life->abandon(format("cannot prepare the domain: {}", prepared.error().message));
      return prepared.error();
    }
    dom = std::move(*prepared);
  }
  st.shared->awaiting = false;
  st.start_attempted = true;
  st.started_at = std::chrono::steady_clock::now();
  st.devices = std::move(dom.devices);
  return st.life->start(dom.xml);
}

caf::behavior launcher_behavior(launcher_actor* self, std::shared_ptr<launcher_ref::shared> shared,
                                virt::connection* conn, launcher_settings settings) {
  auto& init = self->state;
  init.shared = shared;
  init.conn = conn;
  init.settings = std::move(settings);
  init.lg = log::logger{"launcher", init.settings.domain_name};
  init.life = std::make_unique<vm_lifecycle>(
      *conn, init.settings.domain_name,
      [self](const phase_change& c) {
        self->state.lg.info("phase {}: {}", c.phase, c.reason);
        self->state.shared->publish(c);
      },
      init.settings.qemu_log_tail);
  self->attach_functor([shared] {
    std::lock_guard lock(shared->mutex);
    if (!shared->outcome)
      shared->outcome = launcher_outcome{1, vm_phase::failed, "launcher actor stopped unexpectedly"};
    shared->actor_done = true;
    shared->finished_cv.notify_all();
  });
  self->delayed_send(self, init.settings.tick, lnch_tick_atom_v);
  if (init.settings.await_start)
    self->delayed_send(self, *init.settings.await_start, lnch_await_atom_v);
  return {
    [self](lnch_start_atom) {
      // Without --await-start: at once, with the networks the flags named.
      auto& st = self->state;
      if (auto err = begin(self, {}); !err.ok())
        st.lg.error("start failed: {}", err);
      finish_if_done(self);
    },
    [self](lnch_begin_atom, const network_results& networks) -> error {
      auto& st = self->state;
      if (!st.shared->awaiting)
        return error{errc::conflict, !st.settings.await_start
                                         ? std::string("the launcher does not await start (it started the domain at once)")
                                         : format("the domain was already started or given up (phase {})",
                                                  st.life->phase())};
      st.lg.info("start requested over the command channel ({} networks)", networks.size());
      auto err = begin(self, networks);
      if (!err.ok())
        st.lg.error("start failed: {}", err);
      finish_if_done(self);
      return err;
    },
    [self](lnch_await_atom) {
      auto& st = self->state;
      if (!st.shared->awaiting || !st.settings.await_start)
        return;
      st.shared->awaiting = false;
      st.life->abandon(format("the node agent did not start the VM within {} s", st.settings.await_start->count()));
      finish_if_done(self);
    },
    [self](lnch_lease_atom, const launcher_lease& l) {
      auto& st = self->state;
      st.leases[l.interface] = l;
      st.shared->publish(l);
    },
    [self](lnch_event_atom, const virt::domain_event& ev) {
      self->state.lg.debug("event {} {} ({})", ev.domain, ev.what, ev.detail);
      self->state.life->on_event(ev);
      finish_if_done(self);
    },
    [self](lnch_lost_atom, const error& why) {
      auto& st = self->state;
      st.connection_down = true;
      st.lost_reason = why.message;
      bool alive = st.settings.daemon_alive ? st.settings.daemon_alive() : false;
      st.lg.warn("connection to libvirt lost ({}); daemon {}", why.message, alive ? "alive, reconnecting" : "gone");
      st.life->on_connection_lost(why, alive);
      finish_if_done(self);
    },
    [self](lnch_shutdown_atom, std::int64_t grace_s) {
      auto& st = self->state;
      auto grace = grace_s >= 0 ? std::chrono::seconds(grace_s) : st.settings.grace_period;
      if (st.life->finished())
        return;
      st.shared->awaiting = false;
      bool first = st.life->phase() != vm_phase::shutting_down;
      st.lg.info("shutdown requested (grace period {} s)", grace.count());
      if (auto err = st.life->request_shutdown(); !err.ok())
        st.lg.warn("power button: {} (destroying when the grace period ends)", err);
      if (first || grace_s >= 0) {
        // A later request with an explicit grace period replaces the timer.
        auto gen = ++st.grace_generation;
        self->delayed_send(self, grace, lnch_grace_atom_v, gen);
      }
      finish_if_done(self);
    },
    [self](lnch_grace_atom, std::uint64_t gen) {
      auto& st = self->state;
      if (gen != st.grace_generation)
        return;
      if (!st.life->finished())
        st.lg.warn("grace period over: destroying the domain");
      st.life->grace_expired();
      finish_if_done(self);
    },
    [self](lnch_pause_atom) { return self->state.life->pause(); },
    [self](lnch_resume_atom) { return self->state.life->resume(); },
    [self](lnch_status_atom) {
      auto& st = self->state;
      launcher_status s;
      s.phase = st.life->phase();
      s.reason = st.life->reason();
      s.since_start =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - st.started_at);
      if (!st.connection_down) {
        if (auto ds = st.conn->status(st.settings.domain_name))
          s.domain_state = format("{}: {}", ds->state, ds->reason);
        if (auto stats = st.conn->stats(st.settings.domain_name)) {
          virt::name_devices(*stats, st.devices);
          s.stats = std::move(*stats);
        }
      }
      for (const auto& [name, l] : st.leases)
        s.leases.push_back(l);
      return s;
    },
    [self](lnch_tick_atom) {
      auto& st = self->state;
      if (!st.settings.serial_log.empty()) {
        auto rotated = rotate_if_larger(st.settings.serial_log, st.settings.serial_log_max_bytes,
                                        st.settings.serial_log_keep);
        if (!rotated)
          st.lg.warn("serial log rotation: {}", rotated.error());
      }
      if (st.connection_down && !st.life->finished()) {
        bool alive = st.settings.daemon_alive ? st.settings.daemon_alive() : false;
        if (!alive) {
          st.life->on_connection_lost(error{errc::unavailable, st.lost_reason}, false);
        } else if (auto err = st.conn->reconnect(); err.ok()) {
          st.lg.info("reconnected to libvirt");
          st.connection_down = false;
          st.life->resync();
        }
      }
      finish_if_done(self);
      self->delayed_send(self, st.settings.tick, lnch_tick_atom_v);
    },
  };
}

} // namespace

void launcher_ref::shutdown(std::optional<std::chrono::seconds> grace) const {
  caf::anon_send(shared_->strong(), lnch_shutdown_atom_v, static_cast<std::int64_t>(grace ? grace->count() : -1));
}

namespace {
template <class Atom>
error blocking_command(launcher_ref::shared& sh, Atom atom) {
  error result{errc::unavailable, "launcher is not running"};
  auto dest = sh.strong();
  if (!dest)
    return result;
  caf::scoped_actor self{*sh.sys};
  self->request(dest, request_timeout, atom)
      .receive([&](const error& e) { result = e; },
               [&](const caf::error& e) { result = error{errc::unavailable, sh.sys->render(e)}; });
  return result;
}
} // namespace

error launcher_ref::pause() const {
  return blocking_command(*shared_, lnch_pause_atom_v);
}

error launcher_ref::resume() const {
  return blocking_command(*shared_, lnch_resume_atom_v);
}

expected<launcher_status> launcher_ref::status() const {
  expected<launcher_status> result{errc::unavailable, "launcher is not running"};
  auto dest = shared_->strong();
  if (!dest)
    return result;
  caf::scoped_actor self{*shared_->sys};
  self->request(dest, request_timeout, lnch_status_atom_v)
      .receive([&](const launcher_status& s) { result = s; },
               [&](const caf::error& e) { result = error{errc::unavailable, shared_->sys->render(e)}; });
  return result;
}

void launcher_ref::domain_event(const virt::domain_event& ev) const {
  caf::anon_send(shared_->strong(), lnch_event_atom_v, ev);
}

void launcher_ref::connection_lost(const error& why) const {
  caf::anon_send(shared_->strong(), lnch_lost_atom_v, why);
}

error launcher_ref::start(const network_results& networks) const {
  // The outcome of a start that got going arrives as a phase change: subscribe first so
  // that a domain running at once (before the answer) is not missed.
  struct waiter {
    std::mutex m;
    std::condition_variable cv;
    std::optional<phase_change> final;
  };
  auto w = std::make_shared<waiter>();
  int id = subscribe([w](const phase_change& c) {
    if (c.phase != vm_phase::running && c.phase != vm_phase::failed && c.phase != vm_phase::succeeded)
      return;
    std::lock_guard lock(w->m);
    if (!w->final)
      w->final = c;
    w->cv.notify_all();
  });
  struct unsubscriber {
    const launcher_ref& ref;
    int id;
    ~unsubscriber() { ref.unsubscribe(id); }
  } guard{*this, id};

  auto dest = shared_->strong();
  if (!dest)
    return error{errc::unavailable, "launcher is not running"};
  std::optional<error> answer;
  {
    caf::scoped_actor self{*shared_->sys};
    self->request(dest, std::chrono::duration_cast<std::chrono::milliseconds>(start_timeout), lnch_begin_atom_v,
                  networks)
        .receive([&](const error& e) { answer = e; }, [&](const caf::error&) {});
  }
  if (answer && !answer->ok())
    return *answer;
  // Started (or the actor quit before answering, when the start failed): wait for the
  // domain to run or end.
  auto deadline = std::chrono::steady_clock::now() + start_timeout;
  std::unique_lock lock(w->m);
  while (!w->final) {
    if (std::chrono::steady_clock::now() >= deadline)
      return error{errc::timeout, format("the domain did not run within {} min", start_timeout.count())};
    w->cv.wait_for(lock, std::chrono::milliseconds(200));
    if (!w->final) {
      std::lock_guard done_lock(shared_->mutex);
      if (shared_->actor_done && shared_->outcome)
        return error{errc::unavailable, format("the launcher ended: {}", shared_->outcome->reason)};
    }
  }
  if (w->final->phase == vm_phase::running)
    return {};
  return error{errc::unavailable, format("the domain did not start: {}", w->final->reason)};
}

bool launcher_ref::awaiting_start() const {
  return shared_->awaiting;
}

void launcher_ref::lease_given(const launcher_lease& lease) const {
  caf::anon_send(shared_->strong(), lnch_lease_atom_v, lease);
}

int launcher_ref::subscribe_leases(std::function<void(const launcher_lease&)> fn) const {
  std::lock_guard lock(shared_->mutex);
  int id = shared_->next_id++;
  shared_->lease_subscribers.emplace(id, std::move(fn));
  return id;
}

int launcher_ref::subscribe(std::function<void(const phase_change&)> fn) const {
  std::lock_guard lock(shared_->mutex);
  int id = shared_->next_id++;
  shared_->subscribers.emplace(id, std::move(fn));
  return id;
}

void launcher_ref::unsubscribe(int id) const {
  std::lock_guard lock(shared_->mutex);
  shared_->subscribers.erase(id);
  shared_->lease_subscribers.erase(id);
}

launcher_outcome launcher_ref::wait() const {
  std::unique_lock lock(shared_->mutex);
  shared_->finished_cv.wait(lock, [&] { return shared_->actor_done; });
  return *shared_->outcome;
}

std::optional<launcher_outcome> launcher_ref::wait_for(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(shared_->mutex);
  if (!shared_->finished_cv.wait_for(lock, timeout, [&] { return shared_->actor_done; }))
    return std::nullopt;
  return shared_->outcome;
}

launcher_ref start_launcher(caf::actor_system& sys, virt::connection& conn, launcher_settings settings) {
  launcher_ref ref;
  ref.shared_ = std::make_shared<launcher_ref::shared>();
  ref.shared_->sys = &sys;
  ref.shared_->awaiting = settings.await_start.has_value();
  bool at_once = !settings.await_start;
  // Detached: the actor makes blocking libvirt calls and must not hold a scheduler
  // worker while it waits on the daemon.
  auto actor = sys.spawn<caf::detached>(launcher_behavior, ref.shared_, &conn, std::move(settings));
  ref.shared_->actor = actor.address();
  if (at_once)
    caf::anon_send(actor, lnch_start_atom_v);
  return ref;
}

} // namespace podvisor::actors::launcher
