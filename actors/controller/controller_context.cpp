#include "actors/controller/controller_context.hpp"

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/controller/vmi_controller.hpp"
#include "actors/kube/event_recorder.hpp"
#include "actors/kube/status_writer.hpp"
#include "actors/system/config.hpp"
#include "common/log.hpp"
#include "kube/client/resource.hpp"

namespace podvisor::actors::controller {

void controller_context::stop_all() {
  for (auto& a : actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  actors.clear();
}

std::shared_ptr<controller_context> start_controller_context(caf::actor_system& sys,
                                                             std::shared_ptr<podvisor::kube::client::api_client> client,
                                                             std::string host, std::size_t executor_workers) {
  auto ctx = std::make_shared<controller_context>();
  ctx->sys = &sys;
  ctx->client = client;
  ctx->executor = actors::kube::make_detached_executor(sys, executor_workers);
  ctx->vmis = actors::kube::spawn_informer(sys, vmi_informer_config(), client);
  ctx->keep(ctx->vmis.actor);
  ctx->launcher_pods = actors::kube::spawn_informer(sys, launcher_pod_informer_config(), client);
  ctx->keep(ctx->launcher_pods.actor);
  actors::kube::status_writer_config sw;
  sw.resource = podvisor::kube::client::resources::virtual_machine_instances();
  ctx->vmi_status = ctx->keep(actors::kube::spawn_status_writer(sys, sw, client, ctx->executor));
  actors::kube::event_recorder_config rc;
  rc.component = "podvisor-controller";
  rc.host = std::move(host);
  ctx->recorder = ctx->keep(actors::kube::spawn_event_recorder(sys, rc, client, ctx->executor));
  return ctx;
}

namespace {

struct gate_state {
  static inline const char* name = "leadership_gate";
};

protocols::leadership_subscriber_actor::behavior_type
gate_behavior(protocols::leadership_subscriber_actor::stateful_pointer<gate_state> self, std::function<void()> on_gain,
              std::function<void()> on_lost) {
  auto lg = make_logger(self, "controller", "leadership-gate");
  install_exception_handler(self, lg);
  // Plain captured flags rather than actor state: with the state struct the first
  // message already saw `started` set, and the controllers never came up.
  auto started = std::make_shared<bool>(false);
  auto leading = std::make_shared<bool>(false);
  return {
    /// Leading for the first time: start the controllers. Not leading any more: tell
    /// the owner (the process exits, as client-go's OnStoppedLeading does).
    [lg, started, leading, on_gain, on_lost](const protocols::leadership_changed& change) {
      lg.debug("leadership: leader={} holder=\"{}\"", change.leader, change.holder);
      if (change.leader && !*started) {
        *started = true;
        on_gain();
      } else if (!change.leader && *leading) {
        on_lost();
      }
      *leading = change.leader;
    },
  };
}

} // namespace

protocols::leadership_subscriber_actor spawn_leadership_gate(caf::actor_system& sys, std::function<void()> on_gain,
                                                             std::function<void()> on_lost) {
  return sys.spawn(gate_behavior, std::move(on_gain), std::move(on_lost));
}

} // namespace podvisor::actors::controller
