#include "actors/scheduler/leader_gate.hpp"

#include <optional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/system/config.hpp"

namespace podvisor::actors::scheduler {

namespace {

struct leader_gate_state {
  static inline const char* name = "scheduler_leader_gate";
  std::shared_ptr<podvisor::kube::client::api_client> client;
  scheduler_runtime_config config;
  leadership_lost on_lost;
  log::logger log;
  std::optional<scheduler_runtime> running;

  leader_gate_state() = default;
  leader_gate_state(const leader_gate_state&) = delete;
  leader_gate_state& operator=(const leader_gate_state&) = delete;
  /// The gate's end is the scheduler's end.
  ~leader_gate_state() {
    if (running)
      running->stop();
  }
};

using gate_pointer = protocols::leadership_subscriber_actor::stateful_pointer<leader_gate_state>;

protocols::leadership_subscriber_actor::behavior_type
leader_gate(gate_pointer self, std::shared_ptr<podvisor::kube::client::api_client> client,
            scheduler_runtime_config config, leadership_lost on_lost) {
  auto& init = self->state;
  init.log = make_logger(self, "scheduler", "leader-election");
  install_exception_handler(self, init.log);
  init.client = std::move(client);
  init.config = std::move(config);
  init.on_lost = std::move(on_lost);
  return {
    /// Leading: start the scheduler. Not leading any more: stop it and tell the owner.
    [self](const protocols::leadership_changed& change) {
      auto& st = self->state;
      if (change.leader && !st.running) {
        st.log.info("leading: starting the scheduler");
        st.running = start_scheduler(self->system(), st.client, st.config);
      } else if (!change.leader && st.running) {
        st.log.warn("leadership lost (holder now \"{}\"): stopping the scheduler", change.holder);
        st.running->stop();
        st.running.reset();
        if (st.on_lost)
          st.on_lost();
      }
    },
  };
}

} // namespace

protocols::leadership_subscriber_actor spawn_leader_gate(caf::actor_system& sys,
                                                         std::shared_ptr<podvisor::kube::client::api_client> client,
                                                         scheduler_runtime_config config, leadership_lost on_lost) {
  return sys.spawn(leader_gate, std::move(client), std::move(config), std::move(on_lost));
}

} // namespace podvisor::actors::scheduler
