#include "actors/agent/agent.hpp"

#include <deque>
#include <map>
#include <system_error>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/agent/vm_status.hpp"
#include "actors/kube/status_writer.hpp"
#include "actors/system/config.hpp"
#include "kube/api/timestamp.hpp"
#include "kube/client/resource.hpp"
#include "protocols/error.hpp"

namespace podvisor::actors::agent {

namespace {

using nlohmann::json;

constexpr const char* software_emulation_annotation = "podvisor.io/software-emulation";

/// One VMI the agent looks after.
struct vm_record {
  std::string uid;
  vm_supervisor_actor child; ///< null once finished or given up
  std::deque<podvisor::clock::steady_time> crashes;
  std::uint32_t restarts = 0; ///< every restart of its supervisor, for introspection
  bool done = false; ///< finished or given up: never respawned while the VMI exists
};

struct agent_state {
  static inline const char* name = "agent";
  agent_config config;
  agent_deps deps;
  log::logger log;
  std::map<std::string, vm_record> vms; ///< by VMI key
  std::map<caf::actor_addr, std::string> keys; ///< child → VMI key

  agent_state() = default;
  agent_state(const agent_state&) = delete;
  agent_state& operator=(const agent_state&) = delete;
  /// Children are monitored, not linked: stop them with the agent.
  ~agent_state() {
    for (auto& [key, vm] : vms)
      if (vm.child)
        caf::anon_send_exit(vm.child, caf::exit_reason::user_shutdown);
  }
};

using agent_pointer = agent_actor::stateful_pointer<agent_state>;

const podvisor::clock& clock_of(const agent_config& c) {
  return c.clock != nullptr ? *c.clock : podvisor::real_clock::instance();
}

std::string status_string(const json& o, const char* field) {
  auto s = o.find("status");
  return s != o.end() && s->is_object() ? s->value(field, "") : std::string{};
}

/// A uid that is safe as one path component.
bool safe_uid(const std::string& uid) {
  return !uid.empty() && uid != "." && uid != ".." && uid.find('/') == std::string::npos;
}

bool software_emulation(const std::shared_ptr<const actors::kube::informer_cache>& pods, const std::string& uid) {
  if (!pods)
    return false;
  for (const auto& pod : pods->by_index("owner", uid)) {
    auto m = pod->find("metadata");
    if (m == pod->end() || !m->is_object() || !m->contains("annotations") || !(*m)["annotations"].is_object())
      continue;
    if ((*m)["annotations"].value(software_emulation_annotation, "") == "true")
      return true;
  }
  return false;
}

void spawn_child(agent_pointer self, const std::string& key, const protocols::kube_object& vmi) {
  auto& st = self->state;
  auto& vm = st.vms[key];
  vm.uid = std::string{vmi.uid()};
  auto cfg = st.config.supervisor;
  cfg.vmi_dir = st.config.vmi_dir_root / vm.uid;
  cfg.software_emulation = [pods = st.deps.launcher_pods, uid = vm.uid] { return software_emulation(pods, uid); };
  cfg.clock = st.config.clock;
  cfg.node = st.config.node_name;
  cfg.restarts = vm.restarts;
  vm_supervisor_deps deps;
  deps.backend = st.deps.make_backend(cfg.vmi_dir);
  deps.commands = st.deps.make_executor();
  deps.watcher = st.deps.make_executor();
  deps.vmi_status = st.deps.vmi_status;
  deps.recorder = st.deps.recorder;
  vm.child = spawn_vm_supervisor(self->system(), std::move(cfg), std::move(deps), vmi);
  self->monitor(vm.child);
  st.keys[vm.child.address()] = key;
  st.log.info("{}: supervising (phase {})", key, status_string(vmi.json(), "phase"));
}

/// Past the restart intensity: the VMI fails with the reason (never backwards, never a
/// VMI that is already final or not yet Scheduled).
void give_up(agent_pointer self, const std::string& key, const protocols::kube_object& vmi, const std::string& why) {
  auto& st = self->state;
  vm_report report;
  report.phase = "Failed";
  report.reason = "SupervisorFailed";
  report.message = "the VM's supervisor failed " + std::to_string(st.config.max_restarts + 1) + " times within " +
                   std::to_string(st.config.restart_period.count()) + " s; last: " + why;
  vm_status_facts facts;
  facts.now = podvisor::kube::api::format_timestamp(podvisor::kube::api::timestamp{clock_of(st.config).wall_now()});
  st.log.error("{}: {}", key, report.message);
  auto change = kube::mutate_status(std::string{vmi.namespace_()}, std::string{vmi.name()},
                                    [report, facts](json& o) -> podvisor::error {
                                      apply_vm_report(o, report, facts);
                                      return {};
                                    });
  self->request(st.deps.vmi_status, caf::infinite, std::move(change))
    .then([](const protocols::kube_object&) {},
          [self, key](caf::error& err) {
            self->state.log.warn("{}: Failed status not written: {}", key,
                                 protocols::from_caf_error(self->system(), err).to_string());
          });
  protocols::event_record ev;
  ev.involved = protocols::reference_to(vmi, "kubevirt.io/v1", "VirtualMachineInstance");
  ev.type = "Warning";
  ev.reason = "SupervisorFailed";
  ev.message = report.message;
  self->send(st.deps.recorder, std::move(ev));
}

void on_down(agent_pointer self, const caf::down_msg& msg) {
  auto& st = self->state;
  auto k = st.keys.find(msg.source);
  if (k == st.keys.end())
    return;
  auto key = k->second;
  st.keys.erase(k);
  auto it = st.vms.find(key);
  if (it == st.vms.end())
    return;
  auto& vm = it->second;
  vm.child = nullptr;
  if (!msg.reason || msg.reason == caf::exit_reason::normal) {
    vm.done = true; // the VM finished
    return;
  }
  auto why = protocols::from_caf_error(self->system(), msg.reason).to_string();
  auto vmi = st.deps.vmis.cache ? st.deps.vmis.cache->get(key) : protocols::kube_object{};
  if (!vmi || vmi.uid() != vm.uid) {
    st.vms.erase(it); // gone or replaced meanwhile: the informer decides what comes next
    return;
  }
  auto now = clock_of(st.config).now();
  vm.crashes.push_back(now);
  while (!vm.crashes.empty() && now - vm.crashes.front() > st.config.restart_period)
    vm.crashes.pop_front();
  if (vm.crashes.size() > st.config.max_restarts) {
    vm.done = true;
    give_up(self, key, vmi, why);
    return;
  }
  ++vm.restarts;
  st.log.warn("{}: supervisor crashed ({}); restarting ({} of {} within {} s)", key, why, vm.crashes.size(),
              st.config.max_restarts, st.config.restart_period.count());
  protocols::event_record ev;
  ev.involved = protocols::reference_to(vmi, "kubevirt.io/v1", "VirtualMachineInstance");
  ev.type = "Warning";
  ev.reason = "SupervisorRestarted";
  ev.message = "the VM's supervisor crashed (" + why + ") and was restarted";
  self->send(st.deps.recorder, std::move(ev));
  spawn_child(self, key, vmi);
}

/// Stops a child on purpose (not a crash: it is not restarted).
void stop_child(agent_pointer self, vm_record& vm) {
  if (!vm.child)
    return;
  self->state.keys.erase(vm.child.address());
  self->demonitor(vm.child.address());
  caf::anon_send_exit(vm.child, caf::exit_reason::user_shutdown);
  vm.child = nullptr;
}

void on_gone(agent_pointer self, const std::string& key) {
  auto& st = self->state;
  auto it = st.vms.find(key);
  if (it == st.vms.end())
    return;
  stop_child(self, it->second);
  // The VMI is gone, so its pod is too (the controller removes its finalizer only
  // then): nothing reads the shared directory any more.
  if (safe_uid(it->second.uid)) {
    std::error_code ec;
    std::filesystem::remove_all(st.config.vmi_dir_root / it->second.uid, ec);
    if (ec)
      st.log.warn("{}: cannot remove {}: {}", key, (st.config.vmi_dir_root / it->second.uid).string(), ec.message());
  }
  st.vms.erase(it);
}

void on_vmi(agent_pointer self, const std::string& key, const protocols::kube_object& vmi) {
  auto& st = self->state;
  auto it = st.vms.find(key);
  if (it != st.vms.end() && it->second.uid != vmi.uid()) {
    on_gone(self, key); // deleted and recreated under the same name
    it = st.vms.end();
  }
  auto rank = vmi_phase_rank(status_string(vmi.json(), "phase"));
  if (it != st.vms.end() && it->second.child && rank == 5) {
    // Final (the supervisor's own write, or the controller's after the pod failed):
    // nothing left to supervise.
    stop_child(self, it->second);
    it->second.done = true;
    return;
  }
  if (it != st.vms.end() && it->second.child) {
    caf::anon_send(it->second.child, vmi);
    return;
  }
  if (it != st.vms.end() && it->second.done)
    return;
  if (status_string(vmi.json(), "nodeName") != st.config.node_name)
    return;
  if (rank < 3 || rank == 5)
    return; // the controller's, or finished
  spawn_child(self, key, vmi);
}

agent_actor::behavior_type agent_behavior(agent_pointer self, agent_config config, agent_deps deps) {
  auto& st = self->state;
  st.log = make_logger(self, "agent", config.node_name);
  install_exception_handler(self, st.log);
  st.config = std::move(config);
  st.deps = std::move(deps);
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  self->send(st.deps.vmis.actor, protocols::informer_subscribe_atom_v, caf::actor_cast<agent_actor>(self),
             std::uint32_t{0});
  return {
    /// A VMI event: supervise, forward, or clean up; then acknowledge.
    [self](protocols::informer_event& ev) {
      using k = protocols::informer_event_kind;
      if (ev.kind == k::added || ev.kind == k::updated)
        on_vmi(self, ev.key, ev.object);
      else if (ev.kind == k::deleted)
        on_gone(self, ev.key);
      self->send(self->state.deps.vmis.actor, protocols::informer_ack_atom_v, caf::actor_cast<agent_actor>(self),
                 ev.seq);
    },
  };
}

} // namespace

agent_actor spawn_agent(caf::actor_system& sys, agent_config config, agent_deps deps) {
  return sys.spawn(agent_behavior, std::move(config), std::move(deps));
}

actors::kube::informer_config agent_vmi_informer_config() {
  actors::kube::informer_config c;
  c.resource = podvisor::kube::client::resources::virtual_machine_instances();
  c.name = "agent-vmis";
  return c;
}

actors::kube::informer_config agent_launcher_pod_informer_config(const std::string& node) {
  actors::kube::informer_config c;
  c.resource = podvisor::kube::client::resources::pods();
  c.label_selector = "kubevirt.io=virt-launcher";
  c.field_selector = "spec.nodeName=" + node;
  c.indexes = {{"owner", actors::kube::owner_uid_index()}};
  c.name = "agent-launcher-pods";
  return c;
}

} // namespace podvisor::actors::agent
