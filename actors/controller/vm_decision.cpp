#include "actors/controller/vm_decision.hpp"

#include <algorithm>

namespace podvisor::actors::controller {

namespace api = podvisor::kube::api;
using std::chrono::seconds;
using wall_time = std::chrono::system_clock::time_point;

namespace {

api::vmi_phase phase_of(const api::virtual_machine_instance& vmi) {
  return vmi.status.phase.value().value_or(api::vmi_phase::unknown);
}

/// When the VMI entered `phase`, if it recorded it.
std::optional<wall_time> entered(const api::virtual_machine_instance& vmi, api::vmi_phase phase) {
  std::optional<wall_time> at;
  for (const auto& t : vmi.status.phase_transition_timestamps)
    if (t.phase == phase)
      at = t.phase_transition_timestamp.time; // the last entry wins
  return at;
}

/// How long the VMI ran before it ended (or until `now` while it runs); nothing when it
/// never reached Running.
std::optional<wall_time::duration> run_time(const api::virtual_machine_instance& vmi, wall_time now) {
  auto since = entered(vmi, api::vmi_phase::running);
  if (!since)
    return std::nullopt;
  auto until = now;
  if (auto failed = entered(vmi, api::vmi_phase::failed))
    until = *failed;
  else if (auto succeeded = entered(vmi, api::vmi_phase::succeeded))
    until = *succeeded;
  return until - *since;
}

bool backs_off(api::run_strategy s) {
  return s == api::run_strategy::always || s == api::run_strategy::rerun_on_failure;
}

const api::vmi_condition* find_condition(const api::virtual_machine_instance& vmi, std::string_view type) {
  for (const auto& c : vmi.status.conditions)
    if (c.type.raw() == type)
      return &c;
  return nullptr;
}

/// The scheduler could not place the VMI's pod (the VMI controller copies the pod's
/// PodScheduled=False/Unschedulable condition onto the VMI, as KubeVirt does).
bool unschedulable(const api::virtual_machine_instance& vmi) {
  const auto* c = find_condition(vmi, "PodScheduled");
  return c && c->status == api::condition_status::false_ && c->reason == "Unschedulable";
}

seconds ceil_seconds(wall_time::duration d) {
  auto s = std::chrono::ceil<seconds>(d);
  return std::max(s, seconds{1});
}

/// The head request and what it asks for, given the VMI.
struct request_view {
  bool stop = false;  ///< delete the VMI
  bool start = false; ///< a VMI should exist
  std::vector<api::vm_state_change_request> consumed;
};

request_view read_requests(const api::virtual_machine& vm, const api::virtual_machine_instance* vmi,
                           api::run_strategy strategy) {
  request_view view;
  // Serve the head; a consumed head lets the next one be looked at in the same sync.
  for (const auto& req : vm.status.state_change_requests) {
    auto action = req.action.value();
    if (action == api::state_change_action::stop) {
      bool means_this_vmi = vmi && (!req.uid || req.uid->empty() || *req.uid == vmi->metadata.uid);
      if (!means_this_vmi) {
        view.consumed.push_back(req); // done: the VMI it meant is gone
        continue;
      }
      view.stop = true;
      return view;
    }
    if (action == api::state_change_action::start) {
      if (strategy == api::run_strategy::halted || strategy == api::run_strategy::wait_as_receiver) {
        view.consumed.push_back(req); // can never be served
        continue;
      }
      if (vmi && !api::is_final(phase_of(*vmi)) && !vmi->metadata.deletion_timestamp) {
        view.consumed.push_back(req); // started
        continue;
      }
      view.start = true;
      return view;
    }
    view.consumed.push_back(req); // unknown action: drop it rather than block the queue
  }
  return view;
}

} // namespace

seconds start_backoff(const vm_backoff_policy& policy, std::int32_t consecutive_failures) {
  if (consecutive_failures <= 0)
    return seconds{0};
  auto delay = policy.initial;
  for (std::int32_t i = 1; i < consecutive_failures && delay < policy.max; ++i)
    delay *= 2;
  return std::min(delay, policy.max);
}

bool is_controlled_by(const api::virtual_machine_instance& vmi, const api::virtual_machine& vm) {
  return std::any_of(vmi.metadata.owner_references.begin(), vmi.metadata.owner_references.end(),
                     [&](const api::owner_reference& o) {
                       return o.controller.value_or(false) && o.uid == vm.metadata.uid;
                     });
}

api::virtual_machine_instance vmi_from_template(const api::virtual_machine& vm) {
  api::virtual_machine_instance vmi;
  if (vm.spec.template_) {
    vmi.metadata.labels = vm.spec.template_->metadata.labels;
    vmi.metadata.annotations = vm.spec.template_->metadata.annotations;
    vmi.spec = vm.spec.template_->spec;
  }
  vmi.metadata.name = vm.metadata.name;
  vmi.metadata.namespace_ = vm.metadata.namespace_;
  // Which generation of the VM the VMI was made from (KubeVirt's annotation).
  vmi.metadata.annotations["kubevirt.io/vm-generation"] = std::to_string(vm.metadata.generation);
  vmi.metadata.owner_references.push_back(api::owner_reference{.api_version = "kubevirt.io/v1",
                                                               .kind = "VirtualMachine",
                                                               .name = vm.metadata.name,
                                                               .uid = vm.metadata.uid,
                                                               .controller = true,
                                                               .block_owner_deletion = true,
                                                               .unknown = {}});
  return vmi;
}

vm_decision decide_vm(const vm_sync_input& in) {
  const auto& vm = in.vm;
  const auto* vmi = in.vmi;
  vm_decision d;
  auto& st = d.status;

  auto strategy = api::effective_run_strategy(vm.spec);
  st.run_strategy = strategy;
  st.start_failure = vm.status.start_failure;
  st.created = vmi != nullptr;

  auto requeue = [&](wall_time::duration after) {
    auto s = ceil_seconds(after);
    if (!d.requeue_after || s < *d.requeue_after)
      d.requeue_after = s;
  };

  // A VMI of this name that another owner controls (or an older VM of the same name,
  // still being collected): never touch it, say why.
  if (vmi && !is_controlled_by(*vmi, vm)) {
    st.created = false;
    st.printable_status = api::vm_printable_status::unknown;
    st.failure = vm_sync_failure{"FailedCreate", "a VirtualMachineInstance named " + vm.metadata.name +
                                                     " exists and is not controlled by this VirtualMachine"};
    st.ready_reason = "VMINotOwned";
    st.ready_message = st.failure->message;
    d.why = "VMI not controlled by this VM";
    return d;
  }

  const auto phase = vmi ? phase_of(*vmi) : api::vmi_phase::unset;
  const bool vmi_final = vmi && api::is_final(phase);
  const bool vmi_deleting = vmi && vmi->metadata.deletion_timestamp.has_value();

  auto delete_vmi = [&](std::string why) {
    if (!vmi || vmi_deleting)
      return;
    d.remove = vmi_deletion{vm.metadata.namespace_, vmi->metadata.name, vmi->metadata.uid,
                            vmi->spec.termination_grace_period_seconds};
    d.why = std::move(why);
  };

  // Crash-loop bookkeeping, before deciding: it may forbid a create.
  if (vmi && phase == api::vmi_phase::failed &&
      (!st.start_failure || st.start_failure->last_failed_vmi_uid != vmi->metadata.uid)) {
    auto ran = run_time(*vmi, in.now);
    if (ran && *ran >= in.backoff.stable_after) {
      st.start_failure.reset(); // failed after a good run: start afresh, no back-off
    } else {
      api::vm_start_failure f = st.start_failure.value_or(api::vm_start_failure{});
      f.consecutive_fail_count += 1;
      f.last_failed_vmi_uid = vmi->metadata.uid;
      auto failed_at = entered(*vmi, api::vmi_phase::failed).value_or(in.now);
      f.retry_after_timestamp =
        api::timestamp{failed_at + start_backoff(in.backoff, f.consecutive_fail_count)};
      st.start_failure = f;
    }
  } else if (vmi && phase == api::vmi_phase::running && st.start_failure) {
    auto ran = run_time(*vmi, in.now);
    if (ran && *ran >= in.backoff.stable_after)
      st.start_failure.reset();
    else if (ran)
      requeue(in.backoff.stable_after - *ran); // clear it then
  }

  const bool backing_off = strategy && backs_off(*strategy) && st.start_failure &&
                           st.start_failure->retry_after_timestamp &&
                           st.start_failure->retry_after_timestamp->time > in.now;

  auto create_vmi = [&](std::string why) {
    if (backing_off) {
      requeue(st.start_failure->retry_after_timestamp->time - in.now);
      d.why = why + ", backing off after " + std::to_string(st.start_failure->consecutive_fail_count) +
              " failed start(s)";
      return;
    }
    d.create = vmi_from_template(vm);
    d.why = std::move(why);
  };

  if (!strategy) {
    st.failure = vm_sync_failure{"InvalidRunStrategy",
                                 vm.spec.running && vm.spec.run_strategy_
                                   ? "spec.running and spec.runStrategy are mutually exclusive"
                                   : "unknown spec.runStrategy \"" + vm.spec.run_strategy_->raw() + "\""};
    d.why = "invalid run strategy";
  } else if (vm.metadata.deletion_timestamp) {
    delete_vmi("VM is being deleted");
  } else {
    auto req = read_requests(vm, vmi, *strategy);
    st.consumed = req.consumed;
    bool was = vm.status.run_strategy_ == *strategy; // acted on this strategy before
    if (req.stop) {
      delete_vmi("stop request"); // Always brings a new one once it is gone: a restart
    } else {
      switch (*strategy) {
      case api::run_strategy::halted:
        if (vmi)
          delete_vmi("runStrategy Halted");
        break;
      case api::run_strategy::wait_as_receiver:
        break; // a migration target receives the VMI; nothing to create here
      case api::run_strategy::always:
        if (vmi) {
          if (req.start || vmi_final)
            delete_vmi("VMI ended, Always restarts it");
        } else {
          create_vmi("runStrategy Always");
        }
        break;
      case api::run_strategy::rerun_on_failure:
        if (vmi) {
          if (req.start) {
            delete_vmi("start request on an ended VMI");
          } else if (phase == api::vmi_phase::failed && !vmi_deleting) {
            delete_vmi("VMI failed, RerunOnFailure restarts it");
            // Remember the restart across the VMI's absence (KubeVirt does the same); once
            // is enough when a stale cache shows the deleted VMI again.
            bool pending_start = std::any_of(
              vm.status.state_change_requests.begin(), vm.status.state_change_requests.end(),
              [](const api::vm_state_change_request& r) { return r.action == api::state_change_action::start; });
            if (!pending_start)
              st.appended.push_back(api::vm_state_change_request{
              .action = api::state_change_action::start, .data = {}, .uid = std::nullopt, .unknown = {}});
          }
        } else if (req.start || !was) {
          create_vmi(req.start ? "start request" : "runStrategy RerunOnFailure newly set");
        }
        break;
      case api::run_strategy::once:
      case api::run_strategy::manual:
        if (vmi) {
          if (req.start)
            delete_vmi("start request on an ended VMI");
        } else if (req.start || (*strategy == api::run_strategy::once && !was)) {
          create_vmi(req.start ? "start request" : "runStrategy Once newly set");
        }
        break;
      }
    }
  }

  // Printable status, in KubeVirt's order of precedence.
  using ps = api::vm_printable_status;
  const bool stopping = vmi && !vmi_final && (vmi_deleting || d.remove);
  const bool paused = [&] {
    const auto* c = vmi ? find_condition(*vmi, "Paused") : nullptr;
    return c && c->status == api::condition_status::true_;
  }();
  if (vm.metadata.deletion_timestamp)
    st.printable_status = ps::terminating;
  else if (stopping)
    st.printable_status = ps::stopping;
  else if (vmi && phase == api::vmi_phase::running)
    st.printable_status = paused ? ps::paused : ps::running;
  else if (vmi && !vmi_final && unschedulable(*vmi))
    st.printable_status = ps::error_unschedulable;
  else if ((vmi && !vmi_final) || d.create)
    st.printable_status = (vmi && phase == api::vmi_phase::unknown) ? ps::unknown : ps::starting;
  else if (backing_off)
    st.printable_status = ps::crash_loop_back_off;
  else if (strategy == api::run_strategy::wait_as_receiver)
    st.printable_status = ps::waiting_for_receiver;
  else
    st.printable_status = ps::stopped;

  // Ready: the VMI runs and is ready. Our node agent may not write the VMI's Ready
  // condition yet, so a Running VMI without one counts as ready; one that says False
  // does not.
  const auto* ready = vmi ? find_condition(*vmi, "Ready") : nullptr;
  st.ready = vmi && !vmi_deleting && phase == api::vmi_phase::running &&
             (!ready || ready->status == api::condition_status::true_) && !d.remove;
  if (!st.ready && st.ready_reason.empty()) {
    if (!vmi) {
      st.ready_reason = "VMINotExists";
      st.ready_message = "VMI does not exist";
    } else if (ready && ready->status != api::condition_status::true_) {
      st.ready_reason = ready->reason.empty() ? "VMINotReady" : ready->reason;
      st.ready_message = ready->message;
    } else {
      st.ready_reason = "VMINotRunning";
      st.ready_message = "VMI is " + (vmi->status.phase.raw().empty() ? std::string{"new"} : vmi->status.phase.raw());
    }
  }
  if (d.why.empty())
    d.why = "nothing to do";
  return d;
}

void apply_vm_status_change(const vm_status_change& change, api::vm_status& status, wall_time now) {
  if (change.run_strategy)
    status.run_strategy_ = *change.run_strategy;
  status.printable_status = change.printable_status;
  status.created = change.created;
  status.ready = change.ready;
  status.start_failure = change.start_failure;

  // Consumed requests leave the head, each only while it is still the head.
  auto& reqs = status.state_change_requests;
  for (const auto& done : change.consumed) {
    if (reqs.empty() || !(reqs.front().action.raw() == done.action.raw() && reqs.front().uid == done.uid))
      break;
    reqs.erase(reqs.begin());
  }
  for (const auto& add : change.appended)
    reqs.push_back(add);

  auto set_condition = [&](api::vm_condition_type type, api::condition_status value, const std::string& reason,
                           const std::string& message) {
    auto it = std::find_if(status.conditions.begin(), status.conditions.end(),
                           [&](const api::vm_condition& c) { return c.type == type; });
    if (it == status.conditions.end()) {
      status.conditions.push_back(api::vm_condition{});
      it = std::prev(status.conditions.end());
      it->type = type;
    }
    if (!(it->status == value) || it->last_transition_time.time.time_since_epoch().count() == 0)
      it->last_transition_time = api::timestamp{now};
    it->status = value;
    it->last_probe_time = {};
    it->reason = reason;
    it->message = message;
  };
  if (change.ready)
    set_condition(api::vm_condition_type::ready, api::condition_status::true_, "", "");
  else
    set_condition(api::vm_condition_type::ready, api::condition_status::false_, change.ready_reason,
                  change.ready_message);
  if (change.failure) {
    set_condition(api::vm_condition_type::failure, api::condition_status::true_, change.failure->reason,
                  change.failure->message);
  } else {
    std::erase_if(status.conditions,
                  [](const api::vm_condition& c) { return c.type == api::vm_condition_type::failure; });
  }
}

} // namespace podvisor::actors::controller
