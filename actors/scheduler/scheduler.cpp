#include "actors/scheduler/scheduler.hpp"

#include <map>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/kube/status_writer.hpp"
#include "actors/scheduler/cluster_state.hpp"
#include "actors/scheduler/pod_rules.hpp"
#include "actors/system/config.hpp"
#include "kube/api/codec.hpp"
#include "kube/api/field_error.hpp"
#include "kube/api/timestamp.hpp"
#include "kube/client/resource.hpp"
#include "kube/scheduler/scheduler.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::scheduler {

namespace {

/// The outcome of a bind (internal).
struct bind_done {
  std::string key;
  std::string node;
  caf::error error;
};

} // namespace

} // namespace podvisor::actors::scheduler

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::scheduler::bind_done)

CAF_ADD_ATOM(podvisor, podvisor::actors::scheduler, scheduler_next_atom, "sch_next")
CAF_ADD_ATOM(podvisor, podvisor::actors::scheduler, scheduler_retry_atom, "sch_retry")

namespace podvisor::actors::scheduler {

namespace {

using protocols::informer_event;
using protocols::informer_event_kind;
using protocols::kube_object;

using scheduler_impl_actor = protocols::scheduler_actor::extend<
  /// Take the next active pod and decide for it.
  caf::reacts_to<scheduler_next_atom>,
  /// A parked pod's backoff passed (key, park token).
  caf::reacts_to<scheduler_retry_atom, std::string, std::uint64_t>,
  /// A bind finished.
  caf::reacts_to<bind_done>>;

struct scheduler_state {
  static inline const char* name = "scheduler";
  scheduler_config config;
  scheduler_peers peers;
  log::logger log;
  cluster_state cluster;
  scheduling_queue queue;
  /// Unbound pods that are ours, by key: the latest object the informer gave.
  std::map<std::string, kube_object> pending;
  bool nodes_synced = false;
  bool pods_synced = false;
  /// A scheduler_next_atom is in the mailbox.
  bool step_queued = false;
};

using scheduler_pointer = scheduler_impl_actor::stateful_pointer<scheduler_state>;

const podvisor::clock& clock_of(scheduler_pointer self) {
  const auto* c = self->state.config.clock;
  return c != nullptr ? *c : podvisor::real_clock::instance();
}

protocols::informer_subscriber_actor as_subscriber(scheduler_pointer self) {
  return caf::actor_cast<protocols::informer_subscriber_actor>(self);
}

/// Queues one decision step unless one is queued or nothing can be decided yet.
void kick(scheduler_pointer self) {
  auto& st = self->state;
  if (st.step_queued || !st.nodes_synced || !st.pods_synced || st.queue.active_size() == 0)
    return;
  st.step_queued = true;
  self->send(self, scheduler_next_atom_v);
}

void activate_all(scheduler_pointer self, std::string_view why) {
  auto moved = self->state.queue.activate_all();
  if (moved > 0)
    self->state.log.debug("{}: {} unschedulable pod(s) retried", why, moved);
  kick(self);
}

/// Forgets a pod that no longer waits for us.
void drop_pending(scheduler_pointer self, const std::string& key) {
  auto& st = self->state;
  st.pending.erase(key);
  st.queue.remove(key);
}

void park(scheduler_pointer self, const std::string& key) {
  auto ticket = self->state.queue.park(key);
  self->delayed_send(self, caf::timespan{ticket.delay}, scheduler_retry_atom_v, key, ticket.token);
}

void on_node_event(scheduler_pointer self, const informer_event& ev) {
  auto& st = self->state;
  switch (ev.kind) {
    case informer_event_kind::synced:
      st.nodes_synced = true;
      kick(self);
      return;
    case informer_event_kind::deleted:
      st.cluster.remove_node(std::string{ev.object.name()});
      return;
    case informer_event_kind::added:
    case informer_event_kind::updated: {
      auto decoded = podvisor::kube::api::decode<podvisor::kube::api::node>(*ev.object);
      if (!decoded.ok()) {
        st.log.warn("node {} ignored: it does not decode: {}", ev.key, podvisor::kube::api::join_messages(decoded.errors));
        st.cluster.remove_node(std::string{ev.object.name()});
        return;
      }
      st.cluster.upsert_node(std::move(decoded.value));
      if (ev.kind == informer_event_kind::added)
        activate_all(self, "node " + ev.key + " added");
      else if (!ev.resync && node_change_matters(*ev.old_object, *ev.object))
        activate_all(self, "node " + ev.key + " changed");
      return;
    }
  }
}

void on_pod_event(scheduler_pointer self, const informer_event& ev) {
  auto& st = self->state;
  if (ev.kind == informer_event_kind::synced) {
    st.pods_synced = true;
    kick(self);
    return;
  }
  if (ev.kind == informer_event_kind::deleted) {
    bool was_counted = !bound_node(*ev.object).empty() && !finished_or_deleting(*ev.object);
    st.cluster.remove_pod(ev.key);
    drop_pending(self, ev.key);
    if (was_counted)
      activate_all(self, "pod " + ev.key + " deleted");
    return;
  }
  const auto& obj = *ev.object;
  if (!bound_node(obj).empty()) {
    auto decoded = podvisor::kube::api::decode<podvisor::kube::api::pod>(obj);
    if (!decoded.ok())
      st.log.warn("pod {} counted as far as it decodes: {}", ev.key, podvisor::kube::api::join_messages(decoded.errors));
    st.cluster.upsert_pod(ev.key, std::move(decoded.value));
    drop_pending(self, ev.key);
    // A bound pod that finishes frees its node's resources.
    if (ev.kind == informer_event_kind::updated && finished_or_deleting(obj) &&
        !finished_or_deleting(*ev.old_object))
      activate_all(self, "pod " + ev.key + " finished");
    return;
  }
  if (!needs_scheduling(obj, st.config.scheduler_name)) {
    drop_pending(self, ev.key);
    return;
  }
  // Assumed: the bind is in flight or done and not yet seen; not a new pod to place.
  if (st.cluster.assumed(ev.key))
    return;
  st.pending.insert_or_assign(ev.key, ev.object);
  if (st.queue.add(ev.key) ||
      (ev.kind == informer_event_kind::updated && pod_change_matters(*ev.old_object, obj) &&
       st.queue.activate(ev.key)))
    kick(self);
}

void record_failure(scheduler_pointer self, const kube_object& pod, const std::string& message) {
  auto& st = self->state;
  self->send(st.peers.recorder, protocols::event_record{protocols::reference_to(pod, "v1", "Pod"), "Warning",
                                                        "FailedScheduling", message});
}

void mark_unschedulable(scheduler_pointer self, const std::string& key, const kube_object& pod,
                        const std::string& message) {
  auto& st = self->state;
  st.log.info("pod {} unschedulable: {}", key, message);
  record_failure(self, pod, message);
  if (!has_unschedulable_condition(*pod, message)) {
    auto now = podvisor::kube::api::format_timestamp({clock_of(self).wall_now()});
    auto change = actors::kube::mutate_status(std::string{pod.namespace_()}, std::string{pod.name()},
                                              [message, now](nlohmann::json& object) -> podvisor::error {
                                                set_unschedulable_condition(object, message, now);
                                                return {};
                                              });
    self->request(st.peers.pod_status, caf::infinite, std::move(change))
      .then([](const kube_object&) {},
            [self, key](const caf::error& err) {
              auto e = protocols::from_caf_error(self->system(), err);
              if (e.code != errc::not_found)
                self->state.log.warn("pod {}: PodScheduled condition not written: {}", key, e.to_string());
            });
  }
  park(self, key);
}

void post_bind(scheduler_pointer self, const std::string& key, const kube_object& pod, const std::string& node) {
  auto& st = self->state;
  auto body = make_binding(pod.namespace_(), pod.name(), pod.uid(), node);
  auto me = caf::actor_cast<scheduler_impl_actor>(self);
  st.peers.executor->post([client = st.peers.client, ns = std::string{pod.namespace_()},
                           name = std::string{pod.name()}, key, node, body = std::move(body), me] {
    auto result = client->create_subresource(podvisor::kube::client::resources::pods(), ns, name, "binding", body);
    bind_done done{key, node, {}};
    if (!result)
      done.error = protocols::to_caf_error(result.error());
    caf::anon_send(me, std::move(done));
  });
}

/// One decision: the next active pod gets a node (assumed, bind posted) or is parked.
void step(scheduler_pointer self) {
  auto& st = self->state;
  st.step_queued = false;
  auto key = st.queue.pop();
  if (!key)
    return;
  auto it = st.pending.find(*key);
  if (it == st.pending.end()) {
    st.queue.remove(*key);
    kick(self);
    return;
  }
  auto pod_object = it->second;
  auto decoded = podvisor::kube::api::decode<podvisor::kube::api::pod>(*pod_object);
  if (!decoded.ok()) {
    // A pod the server accepted but we cannot read is a bug to see, not to hide: say so
    // on the pod and try again later (a newer Podvisor may read it).
    mark_unschedulable(self, *key, pod_object, "the pod does not decode: " + podvisor::kube::api::join_messages(decoded.errors));
    kick(self);
    return;
  }
  auto result = podvisor::kube::scheduler::schedule(decoded.value, st.cluster.snapshot());
  if (result.scheduled()) {
    st.log.debug("pod {} → node {} ({} feasible)", *key, *result.node, result.feasible.size());
    st.cluster.assume(*key, std::move(decoded.value), *result.node);
    post_bind(self, *key, pod_object, *result.node);
  } else {
    mark_unschedulable(self, *key, pod_object, result.message);
  }
  kick(self);
}

void on_bind_done(scheduler_pointer self, const bind_done& done) {
  auto& st = self->state;
  if (!done.error) {
    st.log.info("pod {} bound to node {}", done.key, done.node);
    // The assumption stays until the informer shows the pod bound.
    drop_pending(self, done.key);
    return;
  }
  st.cluster.forget(done.key);
  auto err = protocols::from_caf_error(self->system(), done.error);
  if (err.code == errc::conflict || err.code == errc::not_found) {
    // Bound by someone else, being deleted, or gone: nothing left for us to do.
    st.log.info("pod {} not bound to {}: {}", done.key, done.node, err.to_string());
    drop_pending(self, done.key);
    activate_all(self, "assumption for " + done.key + " dropped");
    return;
  }
  st.log.warn("pod {} not bound to {}, will retry: {}", done.key, done.node, err.to_string());
  if (st.queue.place(done.key) != queue_place::in_flight)
    return; // deleted meanwhile
  auto it = st.pending.find(done.key);
  if (it != st.pending.end())
    record_failure(self, it->second, "Binding rejected: " + err.to_string());
  park(self, done.key);
}

scheduler_impl_actor::behavior_type scheduler_behavior(scheduler_pointer self, scheduler_config config,
                                                       scheduler_peers peers) {
  auto& init = self->state;
  init.log = make_logger(self, "scheduler", config.scheduler_name);
  install_exception_handler(self, init.log);
  init.queue = scheduling_queue{config.backoff};
  init.config = std::move(config);
  init.peers = std::move(peers);
  self->send(init.peers.nodes, protocols::informer_subscribe_atom_v, as_subscriber(self), std::uint32_t{0});
  self->send(init.peers.pods, protocols::informer_subscribe_atom_v, as_subscriber(self), std::uint32_t{0});
  return {
    /// An informer event: nodes and pods update the picture; pods may join the queue.
    [self](informer_event& ev) {
      auto& st = self->state;
      auto sender = self->current_sender();
      if (sender == caf::actor_cast<caf::strong_actor_ptr>(st.peers.nodes)) {
        on_node_event(self, ev);
        self->send(st.peers.nodes, protocols::informer_ack_atom_v, as_subscriber(self), ev.seq);
      } else if (sender == caf::actor_cast<caf::strong_actor_ptr>(st.peers.pods)) {
        on_pod_event(self, ev);
        self->send(st.peers.pods, protocols::informer_ack_atom_v, as_subscriber(self), ev.seq);
      }
    },
    /// Queue sizes: active, parked, in flight.
    [self](protocols::scheduler_stats_atom) {
      const auto& q = self->state.queue;
      return caf::result<std::uint64_t, std::uint64_t, std::uint64_t>{
        static_cast<std::uint64_t>(q.active_size()), static_cast<std::uint64_t>(q.parked_size()),
        static_cast<std::uint64_t>(q.in_flight_size())};
    },
    /// One decision.
    [self](scheduler_next_atom) { step(self); },
    /// Backoff passed: the pod is active again unless something else moved it.
    [self](scheduler_retry_atom, const std::string& key, std::uint64_t token) {
      if (self->state.queue.backoff_expired(key, token))
        kick(self);
    },
    /// A bind finished.
    [self](const bind_done& done) { on_bind_done(self, done); },
  };
}

} // namespace

protocols::scheduler_actor spawn_scheduler(caf::actor_system& sys, scheduler_config config, scheduler_peers peers) {
  return caf::actor_cast<protocols::scheduler_actor>(sys.spawn(scheduler_behavior, std::move(config), std::move(peers)));
}

} // namespace podvisor::actors::scheduler
