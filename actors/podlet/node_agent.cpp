#include "actors/podlet/node_agent.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/system/config.hpp"
#include "kube/client/resource.hpp"

namespace podvisor::actors::podlet {

namespace {

/// A node or lease sync finished (internal).
struct node_sync_done {
  bool lease = false;
  podvisor::error error;
};

} // namespace

} // namespace podvisor::actors::podlet

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(podvisor::actors::podlet::node_sync_done)
CAF_ADD_ATOM(podvisor, podvisor::actors::podlet, node_tick_atom, "node_tick")
CAF_ADD_ATOM(podvisor, podvisor::actors::podlet, lease_tick_atom, "lease_tick")

namespace podvisor::actors::podlet {

namespace {

using podvisor::kube::client::api_client;
namespace resources = podvisor::kube::client::resources;

struct node_agent_state {
  static inline const char* name = "node_agent";
  node_agent_config config;
  std::shared_ptr<api_client> client;
  std::shared_ptr<kube::api_executor> executor;
  log::logger log;
  bool registered = false;
};

using agent_pointer = caf::stateful_actor<node_agent_state>*;

std::chrono::system_clock::time_point wall_now(const node_agent_config& cfg) {
  return (cfg.clock != nullptr ? *cfg.clock : podvisor::real_clock::instance()).wall_now();
}

/// Creates or refreshes the Node (blocking; runs on the executor).
podvisor::error sync_node(api_client& client, const node_description& node, std::chrono::system_clock::time_point now) {
  auto current = client.get(resources::nodes(), "", node.name);
  if (!current && current.error().code == errc::not_found) {
    auto created = client.create(resources::nodes(), "", new_node(node, now));
    if (!created && created.error().code != errc::already_exists)
      return created.error().with_context("create node " + node.name);
    current = created ? std::move(created) : client.get(resources::nodes(), "", node.name);
  }
  if (!current)
    return current.error().with_context("get node " + node.name);
  auto wanted = refreshed_node(*current, node, now);
  // Labels and spec live in the main resource, the rest in status: two writes, the
  // first only when something there changed.
  if (wanted["metadata"]["labels"] != current->at("metadata").value("labels", nlohmann::json{})
      || wanted.value("spec", nlohmann::json{}) != current->value("spec", nlohmann::json{})) {
    auto updated = client.update(resources::nodes(), wanted);
    if (!updated)
      return updated.error().with_context("update node " + node.name);
    wanted = refreshed_node(*updated, node, now);
  }
  auto written = client.update_status(resources::nodes(), wanted);
  if (!written)
    return written.error().with_context("update node status " + node.name);
  return {};
}

/// Creates or renews the node's Lease (blocking; runs on the executor).
podvisor::error sync_lease(api_client& client, const std::string& node, std::chrono::seconds duration,
                           std::chrono::system_clock::time_point now) {
  auto current = client.get(resources::leases(), node_lease_namespace, node);
  if (!current && current.error().code == errc::not_found) {
    auto created = client.create(resources::leases(), node_lease_namespace, new_node_lease(node, duration, now));
    return created ? podvisor::error{} : created.error().with_context("create lease " + node);
  }
  if (!current)
    return current.error().with_context("get lease " + node);
  auto renewed = client.update(resources::leases(), renewed_node_lease(*current, node, duration, now));
  return renewed ? podvisor::error{} : renewed.error().with_context("renew lease " + node);
}

void post_sync(agent_pointer self, bool lease) {
  auto& st = self->state;
  auto me = caf::actor_cast<caf::actor>(self);
  auto now = wall_now(st.config);
  st.executor->post([client = st.client, node = st.config.node, duration = st.config.lease_duration, now, lease, me] {
    node_sync_done done{lease, lease ? sync_lease(*client, node.name, duration, now) : sync_node(*client, node, now)};
    caf::anon_send(me, std::move(done));
  });
}

} // namespace

caf::actor spawn_node_agent(caf::actor_system& sys, node_agent_config config, std::shared_ptr<api_client> client,
                            std::shared_ptr<kube::api_executor> executor) {
  auto init = [](agent_pointer self, node_agent_config cfg, std::shared_ptr<api_client> c,
                 std::shared_ptr<kube::api_executor> ex) -> caf::behavior {
    auto& init_st = self->state;
    init_st.log = make_logger(self, "node_agent", cfg.node.name);
    install_exception_handler(self, init_st.log);
    init_st.config = std::move(cfg);
    init_st.client = std::move(c);
    init_st.executor = std::move(ex);
    self->send(self, node_tick_atom_v);
    self->send(self, lease_tick_atom_v);
    return {
      /// Time to refresh the Node.
      [self](node_tick_atom) { post_sync(self, false); },
      /// Time to renew the Lease.
      [self](lease_tick_atom) { post_sync(self, true); },
      /// A sync finished: schedule the next one (sooner after a failure).
      [self](node_sync_done& done) {
        auto& st = self->state;
        auto next = done.lease ? st.config.lease_renew_interval : st.config.heartbeat_interval;
        if (!done.error.ok()) {
          st.log.warn("{}; retrying in {} ms", done.error.to_string(),
                      std::chrono::duration_cast<std::chrono::milliseconds>(st.config.retry_interval).count());
          next = st.config.retry_interval;
        } else if (!done.lease && !st.registered) {
          st.registered = true;
          st.log.info("node registered");
        }
        auto delay = std::chrono::duration_cast<caf::timespan>(next);
        if (done.lease)
          self->delayed_send(self, delay, lease_tick_atom_v);
        else
          self->delayed_send(self, delay, node_tick_atom_v);
      },
    };
  };
  return sys.spawn(init, std::move(config), std::move(client), std::move(executor));
}

} // namespace podvisor::actors::podlet
