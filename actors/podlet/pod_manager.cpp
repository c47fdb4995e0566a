#include "actors/podlet/pod_manager.hpp"

#include <csignal>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/kube/status_writer.hpp"
#include "actors/podlet/pod_status.hpp"
#include "actors/system/config.hpp"
#include "kube/client/resource.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::podlet {

namespace {

/// Which runtime call finished.
enum class runtime_call { list, run, observe, terminate, kill, remove };

/// A runtime call finished (internal).
struct runtime_done {
  std::string uid;
  runtime_call call = runtime_call::run;
  std::optional<podvisor::kube::podlet::pod_observation> observation;
  std::vector<std::string> uids; ///< list
  podvisor::error error;
};

/// The final DELETE finished (internal).
struct final_delete_done {
  std::string uid;
  podvisor::error error;
};

} // namespace

} // namespace podvisor::actors::podlet

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::podlet::runtime_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::podlet::final_delete_done)
CAF_ADD_ATOM(podvisor, podvisor::actors::podlet, pod_observe_atom, "pod_obs")
CAF_ADD_ATOM(podvisor, podvisor::actors::podlet, pod_retry_atom, "pod_retry")
CAF_ADD_ATOM(podvisor, podvisor::actors::podlet, pod_kill_atom, "pod_kill")
CAF_ADD_ATOM(podvisor, podvisor::actors::podlet, pod_delete_atom, "pod_del")

namespace podvisor::actors::podlet {

namespace {

using nlohmann::json;
using podvisor::kube::podlet::container_observation;
using podvisor::kube::podlet::pod_observation;
using podvisor::kube::podlet::pod_runtime;
using protocols::kube_object;
namespace resources = podvisor::kube::client::resources;

enum class stage { starting, running, finished, failed, terminating, removing, deleting, deleted };

struct pod_entry {
  std::string uid;
  kube_object pod;
  stage at = stage::starting;
  bool op_in_flight = false;
  /// Work the next step picks up (set by timers and events).
  bool run_due = true;
  bool observe_due = false;
  bool observe_timer = false;
  bool kill_due = false;
  bool term_sent = false;
  bool kill_sent = false;
  /// The API server no longer has the pod: remove it from the runtime, then forget it.
  bool api_gone = false;
  std::uint64_t kill_timer_generation = 0;
  std::optional<pod_observation> observation;
  std::string waiting_reason = "ContainerCreating";
  std::string waiting_message;
  std::string failed_reason;
  std::string failed_message;
  std::optional<backoff> run_backoff;
  /// Containers whose start was reported as an event.
  std::set<std::string> started;
  /// What the last status write was built from (skip writes that change nothing).
  std::string last_report;
};

struct manager_state {
  static inline const char* name = "pod_manager";
  pod_manager_config config;
  pod_manager_deps deps;
  log::logger log;
  std::map<std::string, pod_entry> pods; // by uid
  /// The runtime's pods at start, for re-adoption and clean-up.
  std::set<std::string> runtime_pods;
  bool synced = false;
};

using manager_pointer = caf::stateful_actor<manager_state>*;

std::chrono::system_clock::time_point wall_now(const pod_manager_config& cfg) {
  return (cfg.clock != nullptr ? *cfg.clock : podvisor::real_clock::instance()).wall_now();
}

std::string describe(const pod_entry& e) {
  return e.pod ? e.pod.key() + " (" + e.uid + ")" : e.uid;
}

/// Permanent run_pod errors: the pod as written can never run here (a bad or unsupported
/// spec); everything else (I/O, a busy node, a crash of ours) may pass on a retry.
bool permanent(const podvisor::error& e) {
  return e.code == errc::invalid_argument || e.code == errc::unsupported || e.code == errc::parse_error;
}

/// min(spec.terminationGracePeriodSeconds (default 30), metadata.deletionGracePeriodSeconds).
std::int64_t grace_seconds(const json& pod) {
  std::int64_t grace = 30;
  if (auto spec = pod.find("spec"); spec != pod.end() && spec->is_object())
    if (auto g = spec->find("terminationGracePeriodSeconds"); g != spec->end() && g->is_number_integer())
      grace = g->get<std::int64_t>();
  if (auto meta = pod.find("metadata"); meta != pod.end() && meta->is_object())
    if (auto g = meta->find("deletionGracePeriodSeconds"); g != meta->end() && g->is_number_integer())
      grace = std::min(grace, g->get<std::int64_t>());
  return std::max<std::int64_t>(grace, 0);
}

bool being_deleted(const json& pod) {
  auto meta = pod.find("metadata");
  return meta != pod.end() && meta->is_object() && meta->contains("deletionTimestamp")
         && !(*meta)["deletionTimestamp"].is_null();
}

bool any_container(const pod_observation& o, container_observation::state s) {
  for (const auto& c : o.containers)
    if (c.current == s)
      return true;
  return false;
}

void record(manager_pointer self, const pod_entry& e, std::string type, std::string reason, std::string message,
            const std::string& container = {}) {
  if (!e.pod || !self->state.deps.recorder)
    return;
  protocols::event_record ev;
  ev.involved = protocols::reference_to(e.pod, "v1", "Pod");
  if (!container.empty())
    ev.involved.field_path = "spec.containers{" + container + "}";
  ev.type = std::move(type);
  ev.reason = std::move(reason);
  ev.message = std::move(message);
  self->send(self->state.deps.recorder, std::move(ev));
}

/// Writes the pod's status when what it is built from changed.
void report(manager_pointer self, pod_entry& e) {
  auto& st = self->state;
  if (!e.pod || e.at == stage::deleting || e.at == stage::deleted)
    return;
  pod_status_input input;
  input.observation = e.observation;
  input.host_ip = st.config.host_ip;
  input.waiting_reason = e.waiting_reason;
  input.waiting_message = e.waiting_message;
  input.failed_reason = e.failed_reason;
  input.failed_message = e.failed_message;
  input.now = wall_now(st.config);
  // The signature leaves out `now`: only a change of what the pod is triggers a write.
  json signature = {{"reason", e.waiting_reason}, {"message", e.waiting_message}, {"failed", e.failed_reason}};
  if (e.observation) {
    signature["ip"] = e.observation->pod_ip;
    for (const auto& c : e.observation->containers)
      signature["c"].push_back({c.name, static_cast<int>(c.current), c.reason, c.exit_code.value_or(-1),
                                c.signal.value_or(0), c.started_at_ns, c.finished_at_ns, c.restart_count});
  }
  auto text = signature.dump();
  if (text == e.last_report)
    return;
  e.last_report = std::move(text);
  auto uid = e.uid;
  auto change = actors::kube::mutate_status(std::string{e.pod.namespace_()}, std::string{e.pod.name()},
                                    [input = std::move(input), uid](json& pod) -> podvisor::error {
                                      if (pod["metadata"].value("uid", "") != uid)
                                        return {errc::conflict, "the pod was replaced (uid changed)"};
                                      pod["status"] = build_pod_status(pod, input);
                                      return {};
                                    });
  self->request(st.deps.status_writer, caf::infinite, std::move(change))
    .then([](const kube_object&) {},
          [self, key = e.pod.key()](const caf::error& err) {
            auto e2 = protocols::from_caf_error(err);
            if (e2.code != errc::not_found && e2.code != errc::conflict)
              self->state.log.warn("status of pod {}: {}", key, e2.to_string());
          });
}

/// Runs `call` on the runtime executor and sends its outcome back as runtime_done.
template <class Call>
void post_runtime(manager_pointer self, pod_entry* e, runtime_call what, std::string uid, Call call) {
  if (e != nullptr)
    e->op_in_flight = true;
  auto me = caf::actor_cast<caf::actor>(self);
  self->state.deps.runtime_executor->post(
    [runtime = self->state.deps.runtime, what, uid = std::move(uid), me, call = std::move(call)]() mutable {
      runtime_done done;
      done.uid = uid;
      done.call = what;
      call(*runtime, done);
      caf::anon_send(me, std::move(done));
    });
}

void post_final_delete(manager_pointer self, pod_entry& e) {
  auto me = caf::actor_cast<caf::actor>(self);
  auto ns = std::string{e.pod.namespace_()};
  auto name = std::string{e.pod.name()};
  e.op_in_flight = true;
  self->state.deps.api_executor->post([client = self->state.deps.client, ns, name, uid = e.uid, me] {
    podvisor::kube::client::delete_options options;
    options.grace_period_seconds = 0;
    options.precondition_uid = uid;
    auto removed = client->remove(resources::pods(), ns, name, options);
    final_delete_done done{uid, removed ? podvisor::error{} : removed.error()};
    caf::anon_send(me, std::move(done));
  });
}

void schedule_observe(manager_pointer self, pod_entry& e) {
  if (e.observe_timer)
    return;
  e.observe_timer = true;
  self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(self->state.config.observe_interval),
                     pod_observe_atom_v, e.uid);
}

/// Starts the termination: SIGTERM (or SIGKILL without a grace period) and the timer.
void start_termination(manager_pointer self, pod_entry& e) {
  e.term_sent = true;
  if (!e.observation) {
    // Nothing ever ran (run_pod failed or never finished): only the clean-up is left.
    e.at = stage::removing;
    return;
  }
  auto grace = grace_seconds(e.pod.json());
  for (const auto& c : e.observation->containers)
    if (c.current == container_observation::state::running)
      record(self, e, "Normal", "Killing", "Stopping container " + c.name, c.name);
  int sig = grace > 0 ? SIGTERM : SIGKILL;
  if (grace > 0) {
    self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(std::chrono::seconds{grace}), pod_kill_atom_v,
                       e.uid, ++e.kill_timer_generation);
  } else {
    e.kill_sent = true;
  }
  post_runtime(self, &e, grace > 0 ? runtime_call::terminate : runtime_call::kill, e.uid,
               [uid = e.uid, sig](pod_runtime& rt, runtime_done& done) { done.error = rt.signal_pod(uid, sig); });
}

/// Decides and starts the pod's next runtime or API call, if none runs.
void step(manager_pointer self, pod_entry& e) {
  if (e.op_in_flight)
    return;
  switch (e.at) {
    case stage::starting:
      if (e.run_due) {
        e.run_due = false;
        post_runtime(self, &e, runtime_call::run, e.uid, [pod = e.pod](pod_runtime& rt, runtime_done& done) {
          auto r = rt.run_pod(pod.json());
          if (r)
            done.observation = std::move(*r);
          else
            done.error = r.error();
        });
      }
      return;
    case stage::terminating:
      if (!e.term_sent) {
        start_termination(self, e);
        if (e.at != stage::removing)
          return;
        break; // nothing ran: on to removing
      }
      if (e.kill_due && !e.kill_sent) {
        e.kill_sent = true;
        post_runtime(self, &e, runtime_call::kill, e.uid,
                     [uid = e.uid](pod_runtime& rt, runtime_done& done) { done.error = rt.signal_pod(uid, SIGKILL); });
        return;
      }
      [[fallthrough]];
    case stage::running:
      if (e.observe_due) {
        e.observe_due = false;
        post_runtime(self, &e, runtime_call::observe, e.uid, [uid = e.uid](pod_runtime& rt, runtime_done& done) {
          auto r = rt.observe(uid);
          if (r)
            done.observation = std::move(*r);
          else
            done.error = r.error();
        });
      }
      return;
    default:
      break;
  }
  if (e.at == stage::removing) {
    post_runtime(self, &e, runtime_call::remove, e.uid,
                 [uid = e.uid](pod_runtime& rt, runtime_done& done) { done.error = rt.remove_pod(uid); });
  } else if (e.at == stage::deleting) {
    post_final_delete(self, e);
  }
}

/// The pod is being deleted in the API: terminate it (once).
void begin_termination(manager_pointer self, pod_entry& e) {
  if (e.at == stage::terminating || e.at == stage::removing || e.at == stage::deleting || e.at == stage::deleted)
    return;
  self->state.log.info("pod {} is being deleted: stopping it (grace period {} s)", describe(e),
                       grace_seconds(e.pod.json()));
  e.at = stage::terminating;
  e.observe_due = true;
}

/// A new or changed pod from the informer.
void on_pod(manager_pointer self, const kube_object& pod) {
  auto& st = self->state;
  std::string uid{pod.uid()};
  if (uid.empty())
    return;
  auto spec = pod->find("spec");
  if (spec == pod->end() || !spec->is_object() || spec->value("nodeName", "") != st.config.node_name)
    return; // not ours (the field selector should already have said so)
  auto [it, fresh] = st.pods.try_emplace(uid);
  auto& e = it->second;
  e.pod = pod;
  if (fresh) {
    e.uid = uid;
    e.run_backoff.emplace(st.config.run_backoff);
    if (st.runtime_pods.count(uid) != 0) {
      st.log.info("re-adopting pod {}", describe(e));
      e.at = stage::running;
      e.run_due = false;
      e.observe_due = true;
    } else if (is_terminal_phase(pod_phase(pod.json()))) {
      e.at = stage::finished; // ran before (elsewhere or earlier); never run a terminal pod again
      e.run_due = false;
    }
  }
  if (being_deleted(pod.json()))
    begin_termination(self, e);
  step(self, e);
}

/// The pod is gone from the API.
void on_pod_deleted(manager_pointer self, const kube_object& pod) {
  auto& st = self->state;
  std::string uid{pod.uid()};
  auto it = st.pods.find(uid);
  if (it == st.pods.end())
    return;
  auto& e = it->second;
  if (e.at == stage::deleting || e.at == stage::deleted) {
    if (!e.op_in_flight)
      st.pods.erase(it);
    else
      e.api_gone = true;
    return;
  }
  st.log.info("pod {} was deleted from the API: removing it", describe(e));
  e.api_gone = true;
  e.at = stage::removing;
  step(self, e);
}

/// After the first full list: the runtime's pods that the API no longer has go.
void remove_orphans(manager_pointer self) {
  auto& st = self->state;
  for (const auto& uid : st.runtime_pods) {
    if (st.pods.count(uid) != 0)
      continue;
    st.log.info("removing pod {}: the API server no longer has it", uid);
    post_runtime(self, nullptr, runtime_call::remove, uid,
                 [uid](pod_runtime& rt, runtime_done& done) { done.error = rt.remove_pod(uid); });
  }
  st.runtime_pods.clear();
}

void on_run_done(manager_pointer self, pod_entry& e, runtime_done& done) {
  auto& st = self->state;
  if (done.error) {
    auto msg = done.error.to_string();
    record(self, e, "Warning", "Failed", "Error: " + msg);
    if (permanent(done.error)) {
      st.log.warn("pod {} cannot run: {}", describe(e), msg);
      e.failed_reason = "CreateContainerConfigError";
      e.failed_message = msg;
      if (e.at == stage::starting)
        e.at = stage::failed;
    } else {
      auto delay = e.run_backoff->next();
      st.log.warn("pod {} did not start: {}; retrying in {} ms", describe(e), msg,
                  std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
      e.waiting_reason = "CreateContainerError";
      e.waiting_message = msg;
      if (e.at == stage::starting)
        self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(delay), pod_retry_atom_v, e.uid);
    }
    report(self, e);
    return;
  }
  e.run_backoff->reset();
  e.waiting_reason = "ContainerCreating";
  e.waiting_message.clear();
  e.observation = std::move(done.observation);
  if (e.at == stage::starting)
    e.at = stage::running;
  st.log.info("pod {} started, IP {}", describe(e), e.observation->pod_ip);
  e.observe_due = true; // at once: collect what happened while starting
}

void on_observed(manager_pointer self, pod_entry& e, runtime_done& done) {
  auto& st = self->state;
  if (done.error) {
    if (done.error.code == errc::not_found) {
      if (e.at == stage::terminating) {
        e.at = stage::removing;
        return;
      }
      // The sandbox vanished under us (removed by hand, a wiped state dir).
      e.failed_reason = "SandboxGone";
      e.failed_message = "the pod's sandbox no longer exists on node " + st.config.node_name;
      e.at = stage::failed;
      report(self, e);
      return;
    }
    st.log.warn("observing pod {}: {}", describe(e), done.error.to_string());
    schedule_observe(self, e);
    return;
  }
  e.observation = std::move(done.observation);
  for (const auto& c : e.observation->containers)
    if (c.current != container_observation::state::waiting && e.started.insert(c.name).second)
      record(self, e, "Normal", "Started", "Started container " + c.name, c.name);
  report(self, e);
  bool active = any_container(*e.observation, container_observation::state::running)
                || any_container(*e.observation, container_observation::state::waiting);
  if (e.at == stage::terminating) {
    if (!any_container(*e.observation, container_observation::state::running) && e.term_sent) {
      ++e.kill_timer_generation; // the grace timer is moot
      e.at = stage::removing;
      return;
    }
    schedule_observe(self, e);
    return;
  }
  if (active)
    schedule_observe(self, e);
  else if (e.at == stage::running)
    e.at = stage::finished;
}

void on_runtime_done(manager_pointer self, runtime_done& done) {
  auto& st = self->state;
  if (done.call == runtime_call::list) {
    if (done.error)
      st.log.warn("listing the runtime's pods: {}", done.error.to_string());
    st.runtime_pods.insert(done.uids.begin(), done.uids.end());
    st.log.info("the runtime has {} pod(s); subscribing to this node's pods", st.runtime_pods.size());
    self->send(st.deps.informer, protocols::informer_subscribe_atom_v,
               caf::actor_cast<protocols::informer_subscriber_actor>(self), std::uint32_t{0});
    return;
  }
  auto it = st.pods.find(done.uid);
  if (it == st.pods.end()) {
    if (done.error)
      st.log.warn("removing pod {}: {}", done.uid, done.error.to_string());
    return;
  }
  auto& e = it->second;
  e.op_in_flight = false;
  switch (done.call) {
    case runtime_call::run:
      on_run_done(self, e, done);
      break;
    case runtime_call::observe:
      on_observed(self, e, done);
      break;
    case runtime_call::terminate:
    case runtime_call::kill:
      if (done.error && done.error.code != errc::not_found)
        st.log.warn("signalling pod {}: {}", describe(e), done.error.to_string());
      e.observe_due = true; // see at once what the signal did
      break;
    case runtime_call::remove:
      if (done.error) {
        st.log.warn("removing pod {}: {}; retrying", describe(e), done.error.to_string());
        self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(st.config.delete_retry), pod_retry_atom_v,
                           e.uid);
        return;
      }
      if (e.api_gone) {
        st.pods.erase(it);
        return;
      }
      st.log.info("pod {} removed; deleting it from the API", describe(e));
      e.at = stage::deleting;
      break;
    case runtime_call::list:
      break;
  }
  step(self, e);
}

void on_final_delete(manager_pointer self, final_delete_done& done) {
  auto& st = self->state;
  auto it = st.pods.find(done.uid);
  if (it == st.pods.end())
    return;
  auto& e = it->second;
  e.op_in_flight = false;
  // not_found: gone already; conflict on the uid precondition: a new pod with the same
  // name, which is not ours to delete.
  if (done.error && done.error.code != errc::not_found && done.error.code != errc::conflict) {
    st.log.warn("deleting pod {}: {}; retrying", describe(e), done.error.to_string());
    self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(st.config.delete_retry), pod_delete_atom_v,
                       e.uid);
    return;
  }
  if (e.api_gone) {
    st.pods.erase(it);
    return;
  }
  e.at = stage::deleted; // forgotten when the informer reports the deletion
}

} // namespace

caf::actor spawn_pod_manager(caf::actor_system& sys, pod_manager_config config, pod_manager_deps deps) {
  auto init = [](manager_pointer self, pod_manager_config cfg, pod_manager_deps d) -> caf::behavior {
    auto& init_st = self->state;
    init_st.log = make_logger(self, "pod_manager", cfg.node_name);
    install_exception_handler(self, init_st.log);
    init_st.config = std::move(cfg);
    init_st.deps = std::move(d);
    post_runtime(self, nullptr, runtime_call::list, {},
                 [](pod_runtime& rt, runtime_done& done) { done.uids = rt.list_pods(); });
    return {
      /// An informer event about this node's pods.
      [self](protocols::informer_event& ev) {
        auto& st = self->state;
        self->send(st.deps.informer, protocols::informer_ack_atom_v,
                   caf::actor_cast<protocols::informer_subscriber_actor>(self), ev.seq);
        switch (ev.kind) {
          case protocols::informer_event_kind::added:
          case protocols::informer_event_kind::updated:
            on_pod(self, ev.object);
            break;
          case protocols::informer_event_kind::deleted:
            on_pod_deleted(self, ev.object);
            break;
          case protocols::informer_event_kind::synced:
            if (!st.synced) {
              st.synced = true;
              remove_orphans(self);
            }
            break;
        }
      },
      /// A runtime call finished.
      [self](runtime_done& done) { on_runtime_done(self, done); },
      /// The final DELETE finished.
      [self](final_delete_done& done) { on_final_delete(self, done); },
      /// Time to observe a pod.
      [self](pod_observe_atom, const std::string& uid) {
        auto it = self->state.pods.find(uid);
        if (it == self->state.pods.end())
          return;
        it->second.observe_timer = false;
        it->second.observe_due = true;
        step(self, it->second);
      },
      /// Time to retry run_pod (or a failed remove_pod).
      [self](pod_retry_atom, const std::string& uid) {
        auto it = self->state.pods.find(uid);
        if (it == self->state.pods.end())
          return;
        it->second.run_due = true;
        step(self, it->second);
      },
      /// The grace period is over: SIGKILL.
      [self](pod_kill_atom, const std::string& uid, std::uint64_t generation) {
        auto it = self->state.pods.find(uid);
        if (it == self->state.pods.end() || it->second.kill_timer_generation != generation
            || it->second.at != stage::terminating)
          return;
        self->state.log.info("pod {}: grace period over, killing", describe(it->second));
        it->second.kill_due = true;
        step(self, it->second);
      },
      /// Time to retry the final DELETE.
      [self](pod_delete_atom, const std::string& uid) {
        auto it = self->state.pods.find(uid);
        if (it != self->state.pods.end())
          step(self, it->second);
      },
    };
  };
  return sys.spawn(init, std::move(config), std::move(deps));
}

} // namespace podvisor::actors::podlet
