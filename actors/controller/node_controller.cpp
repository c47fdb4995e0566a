#include "actors/controller/node_controller.hpp"

#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "actors/controller/cache_transforms.hpp"
#include "actors/controller/controller_context.hpp"
#include "actors/controller/node_decision.hpp"
#include "actors/kube/status_writer.hpp"
#include "common/log.hpp"
#include "kube/api/core/lease.hpp"
#include "kube/api/core/node.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/client/typed.hpp"

namespace podvisor::actors::controller {

namespace api = podvisor::kube::api;
namespace client = podvisor::kube::client;
using nlohmann::json;

namespace {

constexpr const char* lease_namespace = "kube-node-lease";

struct node_controller_state {
  node_controller_config config;
  /// Heartbeat memory by node name. Syncs of different nodes run concurrently.
  std::mutex mu;
  std::map<std::string, node_health> health;
};

protocols::object_reference reference_to(const json& object, std::string api_version, std::string kind) {
  const auto& meta = object.value("metadata", json::object());
  return {.api_version = std::move(api_version),
          .kind = std::move(kind),
          .namespace_ = meta.value("namespace", ""),
          .name = meta.value("name", ""),
          .uid = meta.value("uid", ""),
          .resource_version = meta.value("resourceVersion", ""),
          .field_path = {}};
}

/// Marks the node Unknown, unless its heartbeat moved since we judged it (then the
/// change gives up: the node is alive, the next sync sees it).
protocols::status_change mark_unknown_change(const std::string& name, const node_health& judged,
                                             std::chrono::system_clock::time_point now) {
  auto mutate = [judged, now](json& object) -> error {
    auto node = client::typed::from_json<api::node>(object);
    if (!node)
      return node.error();
    for (const auto& c : node->status.conditions)
      if (c.type == "Ready" && c.last_heartbeat_time.time.time_since_epoch().count() &&
          judged.ready_heartbeat != c.last_heartbeat_time.time)
        return error{errc::conflict, "the node's heartbeat moved meanwhile"};
    if (!mark_node_unknown(node->status, now))
      return {};
    object["status"] = api::encode(*node)["status"];
    return {};
  };
  return protocols::status_change{"", name, std::make_shared<const protocols::status_mutation>(std::move(mutate))};
}

/// Fails one VMI of the node: read, change, write; re-read after a conflict.
error fail_vmi(client::api_client& api, const std::string& ns, const std::string& name, const std::string& node,
               std::chrono::system_clock::time_point now) {
  const auto resource = client::resources::virtual_machine_instances();
  error last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto read = api.get(resource, ns, name);
    if (!read)
      return read.error() == errc::not_found ? error{} : read.error();
    auto vmi = client::typed::from_json<api::virtual_machine_instance>(read.value());
    if (!vmi)
      return vmi.error();
    if (vmi->status.node_name != node || vmi->metadata.deletion_timestamp ||
        !fail_vmi_node_unresponsive(vmi->status, now))
      return {}; // moved, going away or ended meanwhile
    auto written = api.update_status(resource, client::typed::to_json(*vmi));
    if (written)
      return {};
    last = written.error();
    if (last != errc::conflict)
      return last;
  }
  return last;
}

/// Force-deletes (grace 0) the launcher pods bound to an unresponsive node. Their
/// graceful deletion would wait for a kubelet that does not answer, and the VMI's
/// finalizer waits for the pod, so without this a VM with runStrategy Always could not
/// come back elsewhere. What may still run on the lost node is removed by its podlet
/// when it returns and finds the pod gone from the API (kubelet does the same).
void force_delete_launcher_pods(node_controller_state& st, const std::string& node, const log::logger& log,
                                sync_result& result) {
  const auto& cfg = st.config;
  client::list_options opts;
  opts.field_selector = "spec.nodeName=" + node;
  opts.label_selector = "kubevirt.io=virt-launcher";
  auto pods = cfg.client->list(client::resources::pods(), "", opts);
  if (!pods) {
    result.error_reason = "FailedList";
    result.error_message = "listing the launcher pods on node " + node + ": " + pods.error().to_string();
    return;
  }
  for (const auto& pod : pods->items) {
    const auto& meta = pod.value("metadata", json::object());
    auto ns = meta.value("namespace", "");
    auto pod_name = meta.value("name", "");
    client::delete_options del;
    del.grace_period_seconds = 0;
    del.precondition_uid = meta.value("uid", "");
    auto gone = cfg.client->remove(client::resources::pods(), ns, pod_name, del);
    if (!gone && gone.error().code != errc::not_found && gone.error().code != errc::conflict) {
      result.error_reason = "FailedDelete";
      result.error_message = "force-deleting pod " + ns + "/" + pod_name + ": " + gone.error().to_string();
      continue;
    }
    log.info("node {}: force-deleted launcher pod {}/{} (the node does not answer)", node, ns, pod_name);
  }
}

/// Sets the node's label podvisor.io/schedulable "false" because its agent's heartbeat
/// stopped: read, check that the heartbeat is still the one we judged (otherwise the
/// agent is back and the write gives up), write with the read's resourceVersion so that
/// a heartbeat landing meanwhile makes it a conflict rather than being overwritten.
/// Returns true when it wrote.
expected<bool> mark_unschedulable(client::api_client& api, const std::string& name, const node_health& judged) {
  auto read = api.get(client::resources::nodes(), "", name);
  if (!read)
    return read.error() == errc::not_found ? expected<bool>{false} : expected<bool>{read.error()};
  json& meta = (*read)["metadata"];
  auto beat = meta.value("annotations", json::object()).value(agent_heartbeat_annotation, json{});
  if (!beat.is_string() || !judged.agent_heartbeat || beat.get<std::string>() != *judged.agent_heartbeat)
    return false; // it moved (or vanished) meanwhile
  if (!meta.contains("labels") || !meta["labels"].is_object())
    meta["labels"] = json::object();
  if (meta["labels"].value(schedulable_label, "") == "false")
    return false;
  meta["labels"][schedulable_label] = "false";
  auto written = api.update(client::resources::nodes(), *read);
  if (!written)
    return written.error();
  return true;
}

sync_result sync_node(node_controller_state& st, const std::string& name) {
  static const log::logger log{"controller", "node"};
  const auto& cfg = st.config;
  auto node_obj = cfg.nodes.cache->get(name);
  if (!node_obj) {
    std::lock_guard lock{st.mu};
    st.health.erase(name);
    return {};
  }
  auto node = client::typed::from_json<api::node>(node_obj.json());
  if (!node)
    return sync_result::failure("InvalidNode", node.error().to_string());
  std::optional<api::lease> lease;
  if (auto lease_obj = cfg.leases.cache->get(std::string{lease_namespace} + "/" + name)) {
    auto decoded = client::typed::from_json<api::lease>(lease_obj.json());
    if (decoded)
      lease = std::move(decoded.value());
  }

  node_decision d;
  {
    std::lock_guard lock{st.mu};
    auto it = st.health.find(name);
    std::optional<node_health> previous;
    if (it != st.health.end())
      previous = it->second;
    d = decide_node(node_input{.node = *node,
                               .lease = lease ? &*lease : nullptr,
                               .previous = previous,
                               .now = cfg.clock->now(),
                               .grace_period = cfg.grace_period});
    st.health[name] = d.health;
  }

  sync_result result;
  if (d.recheck_after)
    result.requeue_after = *d.recheck_after;
  if (d.mark_unschedulable) {
    // The agent is gone, the VMs may well still run: no new ones here until it is
    // back; its VMIs are left for it to re-adopt.
    auto marked = mark_unschedulable(*cfg.client, name, d.health);
    if (!marked) {
      result.error_reason = "FailedUpdate";
      result.error_message = "marking node " + name + " unschedulable: " + marked.error().to_string();
    } else if (*marked) {
      log.info("node {}: no agent heartbeat for {}s, marking it unschedulable for VMs", name,
               std::chrono::duration_cast<std::chrono::seconds>(cfg.grace_period).count());
      result.events.push_back({reference_to(node_obj.json(), "v1", "Node"), "Warning", "AgentUnresponsive",
                               "podvisor-agent on node " + name + " stopped heartbeating; " + schedulable_label +
                                 " set to false (its VMIs keep running)"});
    }
  }
  if (!d.stale)
    return result;
  auto now = cfg.clock->wall_now();
  if (d.mark_unknown) {
    log.info("node {}: no heartbeat for {}s, marking it not ready", name,
             std::chrono::duration_cast<std::chrono::seconds>(cfg.grace_period).count());
    result.status_changes.push_back(mark_unknown_change(name, d.health, now));
    result.events.push_back({reference_to(node_obj.json(), "v1", "Node"), "Normal", "NodeNotReady",
                             "Node " + name + " status is now: NodeNotReady"});
  }

  auto vmis = cfg.vmis.cache->has_index(vmi_node_index) ? cfg.vmis.cache->by_index(vmi_node_index, name)
                                                        : cfg.vmis.cache->list();
  std::vector<api::virtual_machine_instance> decoded;
  for (const auto& o : vmis)
    if (auto v = client::typed::from_json<api::virtual_machine_instance>(o.json()))
      decoded.push_back(std::move(v.value()));
  std::vector<const api::virtual_machine_instance*> pointers;
  for (const auto& v : decoded)
    pointers.push_back(&v);
  for (const auto* vmi : vmis_to_fail(name, pointers)) {
    auto e = fail_vmi(*cfg.client, vmi->metadata.namespace_, vmi->metadata.name, name, now);
    if (e) {
      result.error_reason = "FailedUpdate";
      result.error_message = "failing VMI " + vmi->metadata.namespace_ + "/" + vmi->metadata.name + ": " + e.to_string();
      continue;
    }
    log.info("node {}: VMI {}/{} failed (NodeUnresponsive)", name, vmi->metadata.namespace_, vmi->metadata.name);
    result.events.push_back({reference_to(client::typed::to_json(*vmi), "kubevirt.io/v1", "VirtualMachineInstance"),
                             "Warning", "NodeUnresponsive",
                             "virt-handler on node " + name + " is not responsive, marking VMI as failed"});
  }
  force_delete_launcher_pods(st, name, log, result);
  return result;
}

} // namespace

reconcile_loop_actor spawn_node_controller(caf::actor_system& sys, node_controller_config config) {
  reconcile_loop_config loop;
  loop.name = "node";
  loop.kind = "Node";
  loop.api_version = "v1";
  loop.workers = config.workers;
  loop.executor = config.executor;
  loop.status_writer = config.status_writer;
  loop.recorder = config.recorder;
  loop.sources.push_back(informer_source{config.nodes.actor, nullptr});
  // A Lease kube-node-lease/<node> → the node's key.
  loop.sources.push_back(informer_source{config.leases.actor, [](const protocols::informer_event& ev) {
                                           std::vector<std::string> keys;
                                           if (ev.object && ev.object.namespace_() == lease_namespace)
                                             keys.emplace_back(ev.object.name());
                                           return keys;
                                         }});
  // A VMI → the node it runs on.
  loop.sources.push_back(informer_source{config.vmis.actor, [](const protocols::informer_event& ev) {
                                           std::vector<std::string> keys;
                                           if (!ev.object)
                                             return keys;
                                           const auto& j = ev.object.json();
                                           auto node = j.value("status", json::object()).value("nodeName", "");
                                           if (!node.empty())
                                             keys.push_back(std::move(node));
                                           return keys;
                                         }});
  auto nodes_cache = config.nodes.cache;
  loop.lookup = [nodes_cache](const std::string& key) { return nodes_cache->get(key); };
  auto state = std::make_shared<node_controller_state>();
  state->config = std::move(config);
  loop.sync = [state](const std::string& key) { return sync_node(*state, key); };
  return spawn_reconcile_loop(sys, std::move(loop));
}

reconcile_loop_actor spawn_node_controller(caf::actor_system& sys, controller_context& ctx,
                                           std::chrono::nanoseconds grace_period, std::size_t workers) {
  node_controller_config cfg;
  actors::kube::informer_config nodes;
  nodes.resource = client::resources::nodes();
  nodes.transform = node_view;
  cfg.nodes = actors::kube::spawn_informer(sys, nodes, ctx.client);
  ctx.keep(cfg.nodes.actor);
  actors::kube::informer_config leases;
  leases.resource = client::resources::leases();
  leases.namespace_ = lease_namespace;
  leases.transform = actors::kube::strip_bookkeeping;
  cfg.leases = actors::kube::spawn_informer(sys, leases, ctx.client);
  ctx.keep(cfg.leases.actor);
  cfg.vmis = ctx.vmis;
  cfg.client = ctx.client;
  cfg.executor = ctx.executor;
  actors::kube::status_writer_config sw;
  sw.resource = client::resources::nodes();
  cfg.status_writer = ctx.keep(actors::kube::spawn_status_writer(sys, sw, ctx.client, ctx.executor));
  cfg.recorder = ctx.recorder;
  cfg.grace_period = grace_period;
  cfg.workers = workers;
  return ctx.keep(spawn_node_controller(sys, std::move(cfg)));
}

} // namespace podvisor::actors::controller
