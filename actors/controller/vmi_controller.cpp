#include "actors/controller/vmi_controller.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/controller/cache_transforms.hpp"
#include "actors/controller/vmi_decision.hpp"
#include "actors/kube/status_writer.hpp"
#include "kube/api/timestamp.hpp"
#include "kube/client/resource.hpp"

namespace podvisor::actors::controller {

namespace {

using nlohmann::json;
using podvisor::kube::client::api_client;
namespace resources = podvisor::kube::client::resources;

/// The key of the VMI that controls `pod` (its controller owner reference), or "".
std::string owner_vmi_key(const protocols::kube_object& pod) {
  if (!pod)
    return {};
  const json& j = pod.json();
  auto meta = j.find("metadata");
  if (meta == j.end() || !meta->is_object())
    return {};
  auto refs = meta->find("ownerReferences");
  if (refs == meta->end() || !refs->is_array())
    return {};
  for (const auto& r : *refs)
    if (r.is_object() && r.value("kind", "") == "VirtualMachineInstance" && r.value("controller", false))
      return protocols::object_key(pod.namespace_(), r.value("name", ""));
  return {};
}

/// The launcher pods the VMI controls, from the pod cache.
std::vector<json> pods_of(const actors::kube::informer_cache& cache, const std::string& uid) {
  std::vector<json> out;
  for (const auto& p : cache.by_index(owner_index, uid)) {
    const json& j = p.json();
    const auto& refs = j["metadata"].value("ownerReferences", json::array());
    bool controlled = std::any_of(refs.begin(), refs.end(), [&](const json& r) {
      return r.is_object() && r.value("uid", "") == uid && r.value("controller", false);
    });
    if (controlled)
      out.push_back(j);
  }
  return out;
}

/// A merge patch setting metadata.finalizers, guarded by the read resourceVersion.
json finalizers_patch(const json& vmi, bool add) {
  json list = json::array();
  if (vmi["metadata"].contains("finalizers") && vmi["metadata"]["finalizers"].is_array())
    for (const auto& f : vmi["metadata"]["finalizers"])
      if (f != vmi_finalizer)
        list.push_back(f);
  if (add)
    list.push_back(vmi_finalizer);
  // An empty list is written as null: a merge patch then removes the field.
  return {{"metadata",
           {{"finalizers", list.empty() ? json(nullptr) : list},
            {"resourceVersion", vmi["metadata"].value("resourceVersion", "")}}}};
}

struct sync_context {
  vmi_controller_config config;
  vmi_controller_deps deps;
  std::shared_ptr<controller::expectations> expect;
  const podvisor::clock* clock;
};

sync_result sync_vmi(const sync_context& ctx, const std::string& key) {
  sync_result result;
  auto object = ctx.deps.vmis.cache->get(key);
  if (!object) {
    ctx.expect->remove(key);
    return result;
  }
  const json& vmi = object.json();
  const std::string ns{object.namespace_()};
  const std::string name{object.name()};
  const std::string now =
    podvisor::kube::api::format_timestamp(podvisor::kube::api::timestamp{ctx.clock->wall_now()});

  vmi_facts facts;
  facts.expectations_satisfied = ctx.expect->satisfied(key);
  facts.now = now;
  facts.pod = ctx.config.pod;
  auto pods = pods_of(*ctx.deps.pods.cache, std::string{object.uid()});
  auto actions = decide_vmi(&vmi, pods, facts);

  auto event = [&](std::string type, std::string reason, std::string message) {
    protocols::event_record ev;
    ev.involved = protocols::reference_to(object, "kubevirt.io/v1", "VirtualMachineInstance");
    ev.type = std::move(type);
    ev.reason = std::move(reason);
    ev.message = std::move(message);
    result.events.push_back(std::move(ev));
  };
  for (const auto& e : actions.events)
    event(e.type, e.reason, e.message);
  if (!actions.error_reason.empty()) {
    result.error_reason = actions.error_reason;
    result.error_message = actions.error_message;
    return result;
  }
  if (!facts.expectations_satisfied)
    result.requeue_after = ctx.config.expectations_ttl + std::chrono::seconds{1};

  auto& client = *ctx.deps.client;
  if (actions.add_finalizer) {
    auto patched = client.patch(resources::virtual_machine_instances(), ns, name,
                                podvisor::kube::client::patch_type::merge, finalizers_patch(vmi, true), {});
    if (!patched)
      return sync_result::failure("FailedUpdate", "adding the finalizer: " + patched.error().to_string());
  }
  if (actions.create_pod) {
    const std::string pod_name = (*actions.create_pod)["metadata"].value("name", "");
    ctx.expect->expect(key, 1, 0);
    auto created = client.create(resources::pods(), ns, *actions.create_pod);
    if (created) {
      event("Normal", "SuccessfulCreate", "Created virtual machine pod " + pod_name);
    } else if (created.error().code == errc::already_exists) {
      // Created before (a restart lost the answer): the informer reports it soon.
      ctx.expect->creation_observed(key);
    } else {
      ctx.expect->creation_observed(key); // never to be observed
      auto r = sync_result::failure("FailedCreate", "creating pod " + pod_name + ": " + created.error().to_string());
      r.events = std::move(result.events);
      return r;
    }
  }
  for (const auto& d : actions.delete_pods) {
    podvisor::kube::client::delete_options opts;
    opts.grace_period_seconds = d.grace_period_seconds;
    auto removed = client.remove(resources::pods(), ns, d.name, opts);
    if (removed)
      event("Normal", "SuccessfulDelete", "Deleted virtual machine pod " + d.name);
    else if (removed.error().code != errc::not_found)
      return sync_result::failure("FailedDelete", "deleting pod " + d.name + ": " + removed.error().to_string());
  }
  if (actions.remove_finalizer) {
    auto patched = client.patch(resources::virtual_machine_instances(), ns, name,
                                podvisor::kube::client::patch_type::merge, finalizers_patch(vmi, false), {});
    if (!patched && patched.error().code != errc::not_found)
      return sync_result::failure("FailedUpdate", "removing the finalizer: " + patched.error().to_string());
  }
  if (actions.status) {
    result.status_changes.push_back(actors::kube::mutate_status(
      ns, name, [edit = *actions.status, now](json& o) -> podvisor::error {
        apply_vmi_status_edit(o, edit, now); // a phase that moved on: nothing to write
        return {};
      }));
  }
  return result;
}

} // namespace

vmi_controller_handle spawn_vmi_controller(caf::actor_system& sys, vmi_controller_config config,
                                           vmi_controller_deps deps) {
  const podvisor::clock* clock = config.clock != nullptr ? config.clock : &podvisor::real_clock::instance();
  auto expect = std::make_shared<controller::expectations>(*clock, config.expectations_ttl);
  auto ctx = std::make_shared<sync_context>(sync_context{config, deps, expect, clock});

  reconcile_loop_config lc;
  lc.name = "vmi";
  lc.workers = config.workers;
  lc.rate_limit = config.rate_limit;
  lc.executor = deps.executor;
  lc.status_writer = deps.vmi_status;
  lc.recorder = deps.recorder;
  lc.kind = "VirtualMachineInstance";
  lc.lookup = [cache = deps.vmis.cache](const std::string& key) { return cache->get(key); };
  lc.sync = [ctx](const std::string& key) { return sync_vmi(*ctx, key); };
  lc.sources.push_back({deps.vmis.actor, nullptr});
  lc.sources.push_back({deps.pods.actor, [expect](const protocols::informer_event& ev) {
                          auto key = owner_vmi_key(ev.object);
                          if (!key.empty() && ev.kind == protocols::informer_event_kind::added)
                            expect->creation_observed(key);
                          return std::vector<std::string>{key};
                        }});
  return {spawn_reconcile_loop(sys, std::move(lc)), expect};
}

actors::kube::informer_config vmi_informer_config() {
  actors::kube::informer_config c;
  c.resource = resources::virtual_machine_instances();
  c.transform = vmi_view;
  c.name = "vmis";
  return c;
}

actors::kube::informer_config launcher_pod_informer_config() {
  actors::kube::informer_config c;
  c.resource = resources::pods();
  c.label_selector = std::string{app_label} + "=" + app_label_launcher;
  c.indexes = {{owner_index, actors::kube::owner_uid_index()}};
  c.transform = launcher_pod_view;
  c.name = "launcher-pods";
  return c;
}

} // namespace podvisor::actors::controller
