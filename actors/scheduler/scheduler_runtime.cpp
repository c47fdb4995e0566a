#include "actors/scheduler/scheduler_runtime.hpp"

#include <utility>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/kube/event_recorder.hpp"
#include "actors/scheduler/cache_transforms.hpp"
#include "actors/kube/status_writer.hpp"
#include "kube/client/resource.hpp"

namespace podvisor::actors::scheduler {

namespace resources = podvisor::kube::client::resources;

void scheduler_runtime::stop() {
  auto quit = [](auto& handle) {
    if (handle)
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
    handle = nullptr;
  };
  quit(scheduler);
  quit(nodes.actor);
  quit(pods.actor);
  quit(recorder);
  quit(pod_status);
  executor.reset();
}

actors::kube::informer_config node_informer_config() {
  actors::kube::informer_config nodes;
  nodes.resource = resources::nodes();
  nodes.transform = node_view;
  return nodes;
}

actors::kube::informer_config pod_informer_config() {
  // All pods, bound ones included: the scheduler counts what bound pods request on each
  // node. Indexed by node so that readers of the cache can ask "what runs on node X".
  actors::kube::informer_config pods;
  pods.resource = resources::pods();
  pods.indexes.emplace("node", actors::kube::field_index("spec.nodeName"));
  // Only what the scheduler reads: most of a launcher pod is its container's command
  // and environment.
  pods.transform = pod_view;
  return pods;
}

scheduler_runtime start_scheduler(caf::actor_system& sys, std::shared_ptr<podvisor::kube::client::api_client> client,
                                  scheduler_runtime_config config) {
  scheduler_runtime rt;
  rt.nodes = actors::kube::spawn_informer(sys, node_informer_config(), client);
  rt.pods = actors::kube::spawn_informer(sys, pod_informer_config(), client);

  rt.executor = actors::kube::make_detached_executor(sys, config.executor_workers);
  actors::kube::event_recorder_config events;
  events.component = config.scheduler.scheduler_name;
  events.host = config.host;
  events.clock = config.scheduler.clock;
  rt.recorder = actors::kube::spawn_event_recorder(sys, std::move(events), client, rt.executor);
  actors::kube::status_writer_config status;
  status.resource = resources::pods();
  rt.pod_status = actors::kube::spawn_status_writer(sys, std::move(status), client, rt.executor);

  scheduler_peers peers{rt.nodes.actor, rt.pods.actor, rt.recorder, rt.pod_status, std::move(client), rt.executor};
  rt.scheduler = spawn_scheduler(sys, std::move(config.scheduler), std::move(peers));
  return rt;
}

} // namespace podvisor::actors::scheduler
