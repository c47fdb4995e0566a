#include "actors/podlet/podlet.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/kube/event_recorder.hpp"
#include "actors/kube/informer.hpp"
#include "actors/kube/status_writer.hpp"
#include "kube/client/resource.hpp"

namespace podvisor::actors::podlet {

podlet_handle spawn_podlet(caf::actor_system& sys, podlet_config config,
                           std::shared_ptr<podvisor::kube::client::api_client> client,
                           std::shared_ptr<podvisor::kube::podlet::pod_runtime> runtime) {
  auto api_executor = kube::make_detached_executor(sys, config.api_workers);
  auto runtime_executor = kube::make_detached_executor(sys, config.runtime_workers);

  kube::informer_config informer_cfg;
  informer_cfg.resource = podvisor::kube::client::resources::pods();
  informer_cfg.field_selector = "spec.nodeName=" + config.node.name;
  informer_cfg.name = "pods on " + config.node.name;
  auto informer = kube::spawn_informer(sys, informer_cfg, client);

  kube::status_writer_config writer_cfg;
  writer_cfg.resource = podvisor::kube::client::resources::pods();
  auto writer = kube::spawn_status_writer(sys, writer_cfg, client, api_executor);

  kube::event_recorder_config recorder_cfg;
  recorder_cfg.component = "kubelet";
  recorder_cfg.host = config.node.name;
  auto recorder = kube::spawn_event_recorder(sys, recorder_cfg, client, api_executor);

  node_agent_config agent_cfg;
  agent_cfg.node = config.node;
  agent_cfg.heartbeat_interval = config.heartbeat_interval;
  agent_cfg.lease_renew_interval = config.lease_renew_interval;
  auto agent = spawn_node_agent(sys, agent_cfg, client, api_executor);

  pod_manager_config manager_cfg;
  manager_cfg.node_name = config.node.name;
  manager_cfg.host_ip = config.node.ip;
  manager_cfg.observe_interval = config.observe_interval;
  auto manager = spawn_pod_manager(
    sys, manager_cfg, {informer.actor, writer, recorder, client, api_executor, std::move(runtime), runtime_executor});

  return {agent, manager, caf::actor_cast<caf::actor>(informer.actor), caf::actor_cast<caf::actor>(writer),
          caf::actor_cast<caf::actor>(recorder)};
}

void stop_podlet(const podlet_handle& podlet) {
  for (const auto& a : {podlet.pod_manager, podlet.node_agent, podlet.informer, podlet.status_writer, podlet.recorder})
    if (a)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

} // namespace podvisor::actors::podlet
