#include "actors/agent/node_heartbeat.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/system/config.hpp"
#include "kube/api/timestamp.hpp"
#include "kube/client/resource.hpp"

namespace podvisor::actors::agent {

namespace {

/// A heartbeat patch finished (internal).
struct heartbeat_done {
  podvisor::error error;
};

} // namespace

} // namespace podvisor::actors::agent

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::agent::heartbeat_done)
CAF_ADD_ATOM(podvisor, podvisor::actors::agent, heartbeat_tick_atom, "hb_tick")

namespace podvisor::actors::agent {

namespace {

using podvisor::kube::client::api_client;
namespace resources = podvisor::kube::client::resources;

struct node_heartbeat_state {
  static inline const char* name = "node_heartbeat";
  node_heartbeat_config config;
  std::shared_ptr<api_client> client;
  std::shared_ptr<actors::kube::api_executor> executor;
  log::logger log;
  bool failing = false; ///< the last patch failed (log the recovery once)
};

using heartbeat_pointer = caf::stateful_actor<node_heartbeat_state>*;

void post_heartbeat(heartbeat_pointer self) {
  auto& st = self->state;
  const auto& clk = st.config.clock != nullptr ? *st.config.clock : podvisor::real_clock::instance();
  auto patch = node_heartbeat_patch(st.config.kvm_usable, clk.wall_now());
  auto me = caf::actor_cast<caf::actor>(self);
  st.executor->post([client = st.client, node = st.config.node_name, patch = std::move(patch), me] {
    auto patched = client->patch(resources::nodes(), "", node, podvisor::kube::client::patch_type::merge, patch);
    caf::anon_send(me, heartbeat_done{patched ? podvisor::error{} : patched.error().with_context("patch node " + node)});
  });
}

} // namespace

nlohmann::json node_heartbeat_patch(bool kvm_usable, std::chrono::system_clock::time_point now) {
  return {{"metadata",
           {{"labels", {{schedulable_label, "true"}}},
            {"annotations",
             {{heartbeat_annotation, podvisor::kube::api::format_micro_timestamp(podvisor::kube::api::timestamp{now})},
              {kvm_annotation, kvm_usable ? "true" : "false"}}}}}};
}

caf::actor spawn_node_heartbeat(caf::actor_system& sys, node_heartbeat_config config, std::shared_ptr<api_client> client,
                                std::shared_ptr<actors::kube::api_executor> executor) {
  auto init = [](heartbeat_pointer self, node_heartbeat_config cfg, std::shared_ptr<api_client> c,
                 std::shared_ptr<actors::kube::api_executor> ex) -> caf::behavior {
    auto& init_st = self->state;
    init_st.log = make_logger(self, "node_heartbeat", cfg.node_name);
    install_exception_handler(self, init_st.log);
    init_st.config = std::move(cfg);
    init_st.client = std::move(c);
    init_st.executor = std::move(ex);
    self->send(self, heartbeat_tick_atom_v);
    return {
      /// Time to beat.
      [self](heartbeat_tick_atom) { post_heartbeat(self); },
      /// A patch finished: the next one after the interval, or sooner after a failure.
      [self](heartbeat_done& done) {
        auto& st = self->state;
        auto next = st.config.interval;
        if (!done.error.ok()) {
          if (!st.failing)
            st.log.warn("{}; retrying every {} ms", done.error.to_string(),
                        std::chrono::duration_cast<std::chrono::milliseconds>(st.config.retry_interval).count());
          st.failing = true;
          next = st.config.retry_interval;
        } else if (st.failing) {
          st.failing = false;
          st.log.info("heartbeat written again");
        }
        self->delayed_send(self, std::chrono::duration_cast<caf::timespan>(next), heartbeat_tick_atom_v);
      },
    };
  };
  return sys.spawn(init, std::move(config), std::move(client), std::move(executor));
}

} // namespace podvisor::actors::agent
