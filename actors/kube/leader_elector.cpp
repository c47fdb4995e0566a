#include "actors/kube/leader_elector.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/kube/lease_record.hpp"
#include "actors/system/config.hpp"
#include "kube/client/resource.hpp"
#include "protocols/error.hpp"
#include "protocols/kube_object.hpp"

namespace podvisor::actors::kube {

namespace {

/// The outcome of a read, write or release of the lease (internal).
struct lease_op_done {
  std::uint64_t op = 0;
  enum class kind { read, write, release } what = kind::read;
  caf::error error;
  /// The lease as read or written.
  protocols::kube_object lease;
};

} // namespace

} // namespace podvisor::actors::kube

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::kube::lease_op_done)
CAF_ADD_ATOM(podvisor, podvisor::actors::kube, leader_tick_atom, "ldr_tick")

namespace podvisor::actors::kube {

namespace {

using podvisor::kube::client::api_client;
using protocols::kube_object;
using time_point = caf::actor_clock::time_point;

using leader_elector_impl_actor = protocols::leader_elector_actor::extend<
  /// Time to acquire or renew.
  caf::reacts_to<leader_tick_atom>,
  /// A lease call finished.
  caf::reacts_to<lease_op_done>>;

struct elector_state {
  static inline const char* name = "leader_elector";
  leader_elector_config config;
  std::shared_ptr<api_client> client;
  std::shared_ptr<api_executor> executor;
  protocols::leadership_subscriber_actor subscriber;
  log::logger log;
  bool leader = false;
  /// A release was requested: no more acquiring or renewing.
  bool stopping = false;
  bool op_in_flight = false;
  std::uint64_t op = 0;
  time_point op_started{};
  /// The record as last observed, and when (our clock) it last changed.
  std::optional<lease_record> observed;
  time_point observed_time{};
  /// Start of the last successful write (acquire or renew).
  time_point last_renew{};
  std::optional<caf::typed_response_promise<bool>> release_promise;
};

using elector_pointer = leader_elector_impl_actor::stateful_pointer<elector_state>;

std::chrono::system_clock::time_point wall_now(elector_pointer self) {
  const auto* c = self->state.config.clock;
  return (c != nullptr ? *c : podvisor::real_clock::instance()).wall_now();
}

/// Runs `call` on the executor and reports its outcome as lease_op_done.
template <class Call>
void post_op(elector_pointer self, lease_op_done::kind what, Call call) {
  auto& st = self->state;
  st.op_in_flight = true;
  st.op_started = self->clock().now();
  auto me = caf::actor_cast<leader_elector_impl_actor>(self);
  st.executor->post([client = st.client, id = ++st.op, what, me, call = std::move(call)] {
    lease_op_done done;
    done.op = id;
    done.what = what;
    expected<nlohmann::json> result = call(*client);
    if (result)
      done.lease = kube_object{std::move(*result)};
    else
      done.error = protocols::to_caf_error(result.error());
    caf::anon_send(me, std::move(done));
  });
}

void notify(elector_pointer self) {
  auto& st = self->state;
  auto holder = st.leader ? st.config.identity : (st.observed ? st.observed->holder : std::string{});
  if (st.subscriber)
    self->send(st.subscriber, protocols::leadership_changed{st.leader, holder});
}

void lose(elector_pointer self, const std::string& why) {
  auto& st = self->state;
  if (!st.leader)
    return;
  st.leader = false;
  st.log.warn("lost leadership: {}", why);
  notify(self);
}

void check_renew_deadline(elector_pointer self) {
  auto& st = self->state;
  if (st.leader && self->clock().now() - st.last_renew > st.config.renew_deadline)
    lose(self, "could not renew within the renew deadline");
}

void post_read(elector_pointer self) {
  const auto& cfg = self->state.config;
  post_op(self, lease_op_done::kind::read, [ns = cfg.lease_namespace, name = cfg.lease_name](api_client& client) {
    return client.get(podvisor::kube::client::resources::leases(), ns, name);
  });
}

void post_write(elector_pointer self, std::optional<nlohmann::json> current) {
  const auto& cfg = self->state.config;
  auto now = wall_now(self);
  if (!current) {
    auto lease = new_lease(cfg.lease_namespace, cfg.lease_name, cfg.identity, cfg.lease_duration, now);
    post_op(self, lease_op_done::kind::write, [ns = cfg.lease_namespace, lease = std::move(lease)](api_client& client) {
      return client.create(podvisor::kube::client::resources::leases(), ns, lease);
    });
    return;
  }
  auto lease = take_lease(*current, cfg.identity, cfg.lease_duration, now);
  post_op(self, lease_op_done::kind::write, [lease = std::move(lease)](api_client& client) {
    return client.update(podvisor::kube::client::resources::leases(), lease);
  });
}

/// Re-reads and, when still ours, clears the holder (fresh read: no stale version).
void post_release(elector_pointer self) {
  const auto& cfg = self->state.config;
  auto now = wall_now(self);
  post_op(self, lease_op_done::kind::release,
          [ns = cfg.lease_namespace, name = cfg.lease_name, identity = cfg.identity, now](api_client& client) {
            auto leases = podvisor::kube::client::resources::leases();
            auto current = client.get(leases, ns, name);
            if (!current)
              return current;
            if (read_lease_record(*current).holder != identity)
              return expected<nlohmann::json>{errc::conflict, "the lease is held by someone else"};
            return client.update(leases, release_lease(*current, now));
          });
}

void finish_release(elector_pointer self, bool released) {
  auto& st = self->state;
  if (st.leader) {
    st.leader = false;
    st.log.info("released leadership");
    notify(self);
  }
  if (st.release_promise)
    st.release_promise->deliver(released);
  self->quit();
}

void on_read(elector_pointer self, const lease_op_done& done) {
  auto& st = self->state;
  if (done.error) {
    auto err = protocols::from_caf_error(self->system(), done.error);
    if (err.code == errc::not_found) {
      post_write(self, std::nullopt);
      return;
    }
    st.log.debug("reading lease {}/{}: {}", st.config.lease_namespace, st.config.lease_name, err.to_string());
    check_renew_deadline(self);
    return;
  }
  auto rec = read_lease_record(*done.lease);
  auto now = self->clock().now();
  if (!st.observed || *st.observed != rec) {
    st.observed = rec;
    st.observed_time = now;
  }
  bool held_by_other = !rec.holder.empty() && rec.holder != st.config.identity;
  if (held_by_other && now < st.observed_time + std::chrono::seconds{rec.lease_duration_seconds}) {
    lose(self, "the lease is held by " + rec.holder);
    return;
  }
  post_write(self, *done.lease);
}

void on_write(elector_pointer self, const lease_op_done& done) {
  auto& st = self->state;
  if (done.error) {
    auto err = protocols::from_caf_error(self->system(), done.error);
    st.log.debug("writing lease {}/{}: {}", st.config.lease_namespace, st.config.lease_name, err.to_string());
    check_renew_deadline(self);
    return;
  }
  st.observed = read_lease_record(*done.lease);
  st.observed_time = self->clock().now();
  st.last_renew = st.op_started;
  if (!st.leader) {
    st.leader = true;
    st.log.info("became leader of lease {}/{}", st.config.lease_namespace, st.config.lease_name);
    notify(self);
  }
}

void on_op_done(elector_pointer self, const lease_op_done& done) {
  auto& st = self->state;
  if (done.op != st.op)
    return;
  st.op_in_flight = false;
  if (done.what == lease_op_done::kind::release) {
    if (!done.error)
      st.observed = read_lease_record(*done.lease);
    finish_release(self, !done.error);
    return;
  }
  if (done.what == lease_op_done::kind::read)
    on_read(self, done);
  else
    on_write(self, done);
  if (st.stopping && !st.op_in_flight) {
    if (st.leader)
      post_release(self);
    else
      finish_release(self, false);
  }
}

void on_tick(elector_pointer self) {
  auto& st = self->state;
  if (st.stopping)
    return;
  self->delayed_send(self, st.config.retry_period, leader_tick_atom_v);
  check_renew_deadline(self);
  if (!st.op_in_flight)
    post_read(self);
}

leader_elector_impl_actor::behavior_type elector_behavior(elector_pointer self, leader_elector_config config,
                                                          std::shared_ptr<api_client> client,
                                                          std::shared_ptr<api_executor> executor,
                                                          protocols::leadership_subscriber_actor subscriber) {
  auto& st = self->state;
  st.log = make_logger(self, "kube",
                       "leader-elector " + config.lease_namespace + "/" + config.lease_name + " " + config.identity);
  install_exception_handler(self, st.log);
  st.config = std::move(config);
  st.client = std::move(client);
  st.executor = std::move(executor);
  st.subscriber = std::move(subscriber);
  self->send(self, leader_tick_atom_v);
  return {
    /// Stops competing; releases the lease when held; answers, then terminates.
    [self](protocols::leader_release_atom) -> caf::result<bool> {
      auto& state = self->state;
      if (state.stopping)
        return make_error(errc::cancelled, "already releasing");
      state.stopping = true;
      state.release_promise = self->make_response_promise<bool>();
      auto promise = *state.release_promise;
      if (!state.op_in_flight) {
        if (state.leader)
          post_release(self);
        else
          finish_release(self, false);
      }
      return promise;
    },
    /// This replica's view.
    [self](protocols::leader_status_atom) {
      const auto& state = self->state;
      auto holder = state.leader ? state.config.identity : (state.observed ? state.observed->holder : std::string{});
      return protocols::leadership_changed{state.leader, holder};
    },
    /// Every retry period: check the renew deadline, then read the lease.
    [self](leader_tick_atom) { on_tick(self); },
    /// A read → maybe a write; a write → leader; a release → answer and quit.
    [self](const lease_op_done& done) { on_op_done(self, done); },
  };
}

} // namespace

protocols::leader_elector_actor spawn_leader_elector(caf::actor_system& sys, leader_elector_config config,
                                                     std::shared_ptr<api_client> client,
                                                     std::shared_ptr<api_executor> executor,
                                                     protocols::leadership_subscriber_actor subscriber) {
  return sys.spawn(elector_behavior, std::move(config), std::move(client), std::move(executor), std::move(subscriber));
}

} // namespace podvisor::actors::kube
