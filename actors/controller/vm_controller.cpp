#include "actors/controller/vm_controller.hpp"

#include <nlohmann/json.hpp>

#include "actors/controller/controller_context.hpp"
#include "actors/kube/status_writer.hpp"
#include "common/log.hpp"
#include "kube/api/kubevirt/vm.hpp"
#include "kube/api/kubevirt/vmi.hpp"
#include "kube/client/typed.hpp"

namespace podvisor::actors::controller {

namespace api = podvisor::kube::api;
namespace client = podvisor::kube::client;
using nlohmann::json;

std::string owner_vm_key(const json& vmi) {
  const auto& meta = vmi.value("metadata", json::object());
  for (const auto& o : meta.value("ownerReferences", json::array())) {
    if (o.value("kind", "") == "VirtualMachine" && o.value("controller", false) && o.value("name", "") != "") {
      auto ns = meta.value("namespace", "");
      return ns.empty() ? o.value("name", "") : ns + "/" + o.value("name", "");
    }
  }
  return {};
}

namespace {

protocols::object_reference reference_to(const api::virtual_machine& vm) {
  return {.api_version = "kubevirt.io/v1",
          .kind = "VirtualMachine",
          .namespace_ = vm.metadata.namespace_,
          .name = vm.metadata.name,
          .uid = vm.metadata.uid,
          .resource_version = vm.metadata.resource_version,
          .field_path = {}};
}

/// The decided change as a status mutation: decode the fresh read, apply, encode back
/// (unknown fields survive the round trip).
protocols::status_change status_change_of(const api::virtual_machine& vm, vm_status_change change,
                                          std::chrono::system_clock::time_point now) {
  auto mutate = [change = std::move(change), now](json& object) -> error {
    auto fresh = client::typed::from_json<api::virtual_machine>(object);
    if (!fresh)
      return fresh.error();
    apply_vm_status_change(change, fresh->status, now);
    object["status"] = api::encode(*fresh)["status"];
    return {};
  };
  return protocols::status_change{vm.metadata.namespace_, vm.metadata.name,
                                  std::make_shared<const protocols::status_mutation>(std::move(mutate))};
}

sync_result sync_vm(const vm_controller_config& cfg, const std::string& key) {
  static const log::logger log{"controller", "vm"};
  auto vm_obj = cfg.vms.cache->get(key);
  if (!vm_obj)
    return {}; // deleted: the garbage collector removes its VMI (ownerReference)
  auto vm = client::typed::from_json<api::virtual_machine>(vm_obj.json());
  if (!vm)
    return sync_result::failure("InvalidVirtualMachine", vm.error().to_string());

  std::optional<api::virtual_machine_instance> vmi;
  if (auto vmi_obj = cfg.vmis.cache->get(key)) {
    auto decoded = client::typed::from_json<api::virtual_machine_instance>(vmi_obj.json());
    if (!decoded)
      return sync_result::failure("InvalidVirtualMachineInstance", decoded.error().to_string());
    vmi = std::move(decoded.value());
  }

  auto now = cfg.clock->wall_now();
  auto d = decide_vm(vm_sync_input{.vm = *vm, .vmi = vmi ? &*vmi : nullptr, .now = now, .backoff = cfg.backoff});
  log.debug("sync {}: {}", key, d.why);

  sync_result result;
  auto fail = [&](std::string reason, const error& e) {
    result.error_reason = reason;
    result.error_message = e.to_string();
    d.status.failure = vm_sync_failure{std::move(reason), e.to_string()};
  };
  if (d.create) {
    auto created = cfg.client->create(client::resources::virtual_machine_instances(), vm->metadata.namespace_,
                                      client::typed::to_json(*d.create));
    if (created) {
      result.events.push_back({reference_to(*vm), "Normal", "SuccessfulCreate",
                               "Started the virtual machine by creating the new virtual machine instance " +
                                 d.create->metadata.name});
      d.status.created = true;
    } else if (created.error() != errc::already_exists) {
      fail("FailedCreate", created.error());
    }
  }
  if (d.remove) {
    client::delete_options opts;
    opts.grace_period_seconds = d.remove->grace_period_seconds;
    opts.precondition_uid = d.remove->uid;
    auto removed = cfg.client->remove(client::resources::virtual_machine_instances(), d.remove->namespace_,
                                      d.remove->name, opts);
    if (removed) {
      result.events.push_back({reference_to(*vm), "Normal", "SuccessfulDelete",
                               "Stopped the virtual machine by deleting the virtual machine instance " +
                                 d.remove->uid});
    } else if (removed.error() != errc::not_found && removed.error() != errc::conflict) {
      // conflict: the uid precondition failed, a newer VMI replaced it; the next sync sees it.
      fail("FailedDelete", removed.error());
    }
  }
  if (d.requeue_after)
    result.requeue_after = *d.requeue_after;
  result.status_changes.push_back(status_change_of(*vm, std::move(d.status), now));
  return result;
}

} // namespace

reconcile_loop_actor spawn_vm_controller(caf::actor_system& sys, vm_controller_config config) {
  reconcile_loop_config loop;
  loop.name = "vm";
  loop.kind = "VirtualMachine";
  loop.workers = config.workers;
  loop.executor = config.executor;
  loop.status_writer = config.status_writer;
  loop.recorder = config.recorder;
  loop.sources.push_back(informer_source{config.vms.actor, nullptr});
  loop.sources.push_back(informer_source{config.vmis.actor, [](const protocols::informer_event& ev) {
                                           std::vector<std::string> keys;
                                           if (ev.object)
                                             if (auto k = owner_vm_key(ev.object.json()); !k.empty())
                                               keys.push_back(std::move(k));
                                           return keys;
                                         }});
  auto vms_cache = config.vms.cache;
  loop.lookup = [vms_cache](const std::string& key) { return vms_cache->get(key); };
  auto shared = std::make_shared<const vm_controller_config>(std::move(config));
  loop.sync = [shared](const std::string& key) { return sync_vm(*shared, key); };
  return spawn_reconcile_loop(sys, std::move(loop));
}

reconcile_loop_actor spawn_vm_controller(caf::actor_system& sys, controller_context& ctx, std::size_t workers) {
  vm_controller_config cfg;
  actors::kube::informer_config vms;
  vms.resource = client::resources::virtual_machines();
  vms.transform = actors::kube::strip_bookkeeping;
  cfg.vms = actors::kube::spawn_informer(sys, vms, ctx.client);
  ctx.keep(cfg.vms.actor);
  cfg.vmis = ctx.vmis;
  cfg.client = ctx.client;
  cfg.executor = ctx.executor;
  actors::kube::status_writer_config sw;
  sw.resource = client::resources::virtual_machines();
  cfg.status_writer = ctx.keep(actors::kube::spawn_status_writer(sys, sw, ctx.client, ctx.executor));
  cfg.recorder = ctx.recorder;
  cfg.workers = workers;
  return ctx.keep(spawn_vm_controller(sys, std::move(cfg)));
}

} // namespace podvisor::actors::controller
