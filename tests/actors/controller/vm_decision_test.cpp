#include "actors/controller/vm_decision.hpp"

#include <catch2/catch_test_macros.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace podvisor::actors::controller;
namespace api = podvisor::kube::api;
using namespace std::chrono_literals;
using wall_time = std::chrono::system_clock::time_point;

namespace {

const wall_time t0 = wall_time{std::chrono::seconds{1'700'000'000}};

api::virtual_machine make_vm(std::optional<api::run_strategy> strategy, bool acted_on = true) {
  api::virtual_machine vm;
  vm.metadata.name = "vm1";
  vm.metadata.namespace_ = "ns";
  vm.metadata.uid = "vm-uid";
  vm.metadata.generation = 3;
  if (strategy)
    vm.spec.run_strategy_ = *strategy;
  api::vmi_template_spec tpl;
  tpl.metadata.labels = {{"app", "web"}};
  tpl.metadata.annotations = {{"note", "x"}};
  tpl.spec.termination_grace_period_seconds = 7;
  vm.spec.template_ = tpl;
  if (acted_on && strategy)
    vm.status.run_strategy_ = *strategy;
  return vm;
}

enum class vmi_state { absent, pending, running, succeeded, failed };

std::optional<api::virtual_machine_instance> make_vmi(const api::virtual_machine& vm, vmi_state s,
                                                      const std::string& uid = "vmi-uid") {
  if (s == vmi_state::absent)
    return std::nullopt;
  auto vmi = vmi_from_template(vm);
  vmi.metadata.uid = uid;
  switch (s) {
  case vmi_state::pending: vmi.status.phase = api::vmi_phase::pending; break;
  case vmi_state::running: vmi.status.phase = api::vmi_phase::running; break;
  case vmi_state::succeeded: vmi.status.phase = api::vmi_phase::succeeded; break;
  case vmi_state::failed: vmi.status.phase = api::vmi_phase::failed; break;
  case vmi_state::absent: break;
  }
  return vmi;
}

api::vm_state_change_request start_req() {
  return {.action = api::state_change_action::start, .data = {}, .uid = std::nullopt, .unknown = {}};
}
api::vm_state_change_request stop_req(std::string uid) {
  return {.action = api::state_change_action::stop, .data = {}, .uid = std::move(uid), .unknown = {}};
}

vm_decision decide(const api::virtual_machine& vm, const std::optional<api::virtual_machine_instance>& vmi,
                   wall_time now = t0) {
  return decide_vm(vm_sync_input{.vm = vm, .vmi = vmi ? &*vmi : nullptr, .now = now, .backoff = {}});
}

enum class act { none, create, remove };

act action_of(const vm_decision& d) {
  REQUIRE(!(d.create && d.remove));
  return d.create ? act::create : d.remove ? act::remove : act::none;
}

enum class req { none, start, stop_this, stop_other };

struct row {
  api::run_strategy strategy;
  vmi_state vmi;
  req request;
  act expected;
  api::vm_printable_status printable;
  std::size_t consumed; ///< requests removed from the head
};

using rs = api::run_strategy;
using vs = vmi_state;
using ps = api::vm_printable_status;

// Every run strategy × VMI state × request, in steady state (status.runStrategy already
// the spec's). A Failed VMI under Always/RerunOnFailure starts the crash-loop back-off.
const std::vector<row> table = {
  // Always: recreate after any end.
  {rs::always, vs::absent, req::none, act::create, ps::starting, 0},
  {rs::always, vs::pending, req::none, act::none, ps::starting, 0},
  {rs::always, vs::running, req::none, act::none, ps::running, 0},
  {rs::always, vs::succeeded, req::none, act::remove, ps::stopped, 0},
  {rs::always, vs::failed, req::none, act::remove, ps::crash_loop_back_off, 0},
  {rs::always, vs::absent, req::start, act::create, ps::starting, 0},
  {rs::always, vs::running, req::start, act::none, ps::running, 1},
  {rs::always, vs::succeeded, req::start, act::remove, ps::stopped, 0},
  {rs::always, vs::absent, req::stop_this, act::create, ps::starting, 1},
  {rs::always, vs::running, req::stop_this, act::remove, ps::stopping, 0},
  {rs::always, vs::running, req::stop_other, act::none, ps::running, 1},
  // RerunOnFailure: recreate only after Failed.
  {rs::rerun_on_failure, vs::absent, req::none, act::none, ps::stopped, 0},
  {rs::rerun_on_failure, vs::pending, req::none, act::none, ps::starting, 0},
  {rs::rerun_on_failure, vs::running, req::none, act::none, ps::running, 0},
  {rs::rerun_on_failure, vs::succeeded, req::none, act::none, ps::stopped, 0},
  {rs::rerun_on_failure, vs::failed, req::none, act::remove, ps::crash_loop_back_off, 0},
  {rs::rerun_on_failure, vs::absent, req::start, act::create, ps::starting, 0},
  {rs::rerun_on_failure, vs::pending, req::start, act::none, ps::starting, 1},
  {rs::rerun_on_failure, vs::succeeded, req::start, act::remove, ps::stopped, 0},
  {rs::rerun_on_failure, vs::running, req::stop_this, act::remove, ps::stopping, 0},
  {rs::rerun_on_failure, vs::absent, req::stop_this, act::none, ps::stopped, 1},
  // Once: never restart.
  {rs::once, vs::absent, req::none, act::none, ps::stopped, 0},
  {rs::once, vs::pending, req::none, act::none, ps::starting, 0},
  {rs::once, vs::running, req::none, act::none, ps::running, 0},
  {rs::once, vs::succeeded, req::none, act::none, ps::stopped, 0},
  {rs::once, vs::failed, req::none, act::none, ps::stopped, 0},
  {rs::once, vs::running, req::stop_this, act::remove, ps::stopping, 0},
  // Manual: only through requests.
  {rs::manual, vs::absent, req::none, act::none, ps::stopped, 0},
  {rs::manual, vs::pending, req::none, act::none, ps::starting, 0},
  {rs::manual, vs::running, req::none, act::none, ps::running, 0},
  {rs::manual, vs::succeeded, req::none, act::none, ps::stopped, 0},
  {rs::manual, vs::failed, req::none, act::none, ps::stopped, 0},
  {rs::manual, vs::absent, req::start, act::create, ps::starting, 0},
  {rs::manual, vs::running, req::start, act::none, ps::running, 1},
  {rs::manual, vs::succeeded, req::start, act::remove, ps::stopped, 0},
  {rs::manual, vs::failed, req::start, act::remove, ps::stopped, 0},
  {rs::manual, vs::running, req::stop_this, act::remove, ps::stopping, 0},
  {rs::manual, vs::succeeded, req::stop_this, act::remove, ps::stopped, 0},
  {rs::manual, vs::absent, req::stop_this, act::none, ps::stopped, 1},
  {rs::manual, vs::running, req::stop_other, act::none, ps::running, 1},
  // Halted: no VMI; a running one is deleted; Start requests are dropped.
  {rs::halted, vs::absent, req::none, act::none, ps::stopped, 0},
  {rs::halted, vs::pending, req::none, act::remove, ps::stopping, 0},
  {rs::halted, vs::running, req::none, act::remove, ps::stopping, 0},
  {rs::halted, vs::succeeded, req::none, act::remove, ps::stopped, 0},
  {rs::halted, vs::failed, req::none, act::remove, ps::stopped, 0},
  {rs::halted, vs::absent, req::start, act::none, ps::stopped, 1},
  {rs::halted, vs::running, req::stop_this, act::remove, ps::stopping, 0},
  // WaitAsReceiver: wait; never create.
  {rs::wait_as_receiver, vs::absent, req::none, act::none, ps::waiting_for_receiver, 0},
  {rs::wait_as_receiver, vs::running, req::none, act::none, ps::running, 0},
  {rs::wait_as_receiver, vs::succeeded, req::none, act::none, ps::waiting_for_receiver, 0},
  {rs::wait_as_receiver, vs::absent, req::start, act::none, ps::waiting_for_receiver, 1},
};

} // namespace

TEST_CASE("every run strategy against every VMI state and request", "[vm_decision]") {
  for (const auto& r : table) {
    auto vm = make_vm(r.strategy);
    auto vmi = make_vmi(vm, r.vmi);
    if (r.request == req::start)
      vm.status.state_change_requests = {start_req()};
    else if (r.request == req::stop_this)
      vm.status.state_change_requests = {stop_req("vmi-uid")};
    else if (r.request == req::stop_other)
      vm.status.state_change_requests = {stop_req("older-vmi")};
    INFO("strategy " << api::to_string(r.strategy) << ", vmi " << static_cast<int>(r.vmi) << ", request "
                     << static_cast<int>(r.request));
    auto d = decide(vm, vmi);
    INFO("why: " << d.why);
    CHECK(action_of(d) == r.expected);
    CHECK(d.status.printable_status == r.printable);
    CHECK(d.status.consumed.size() == r.consumed);
    CHECK(d.status.created == vmi.has_value());
    CHECK(d.status.run_strategy == r.strategy);
    CHECK(d.status.ready == (r.vmi == vs::running && r.expected == act::none));
    if (d.remove) {
      CHECK(d.remove->uid == "vmi-uid");
      CHECK(d.remove->name == "vm1");
      CHECK(d.remove->namespace_ == "ns");
      CHECK(d.remove->grace_period_seconds == 7);
    }
  }
}

TEST_CASE("RerunOnFailure remembers the restart of a failed VMI as a Start request", "[vm_decision]") {
  auto vm = make_vm(rs::rerun_on_failure);
  auto failed = make_vmi(vm, vs::failed);
  auto d = decide(vm, failed);
  REQUIRE(d.remove);
  REQUIRE(d.status.appended.size() == 1);
  CHECK(d.status.appended[0].action == api::state_change_action::start);

  // A stale cache shows the failed VMI again: no second Start.
  apply_vm_status_change(d.status, vm.status, t0);
  auto again = decide(vm, failed);
  CHECK(again.status.appended.empty());

  // Gone, back-off over: the Start creates it; consumed once a VMI runs.
  auto later = t0 + 11s;
  auto created = decide(vm, std::nullopt, later);
  CHECK(action_of(created) == act::create);
  CHECK(created.status.consumed.empty());
  auto pending = make_vmi(vm, vs::pending, "vmi-2");
  auto seen = decide(vm, pending, later);
  CHECK(action_of(seen) == act::none);
  CHECK(seen.status.consumed.size() == 1);
}

TEST_CASE("a run strategy newly set starts RerunOnFailure and Once once", "[vm_decision]") {
  for (auto s : {rs::rerun_on_failure, rs::once}) {
    auto vm = make_vm(s, /*acted_on=*/false);
    auto d = decide(vm, std::nullopt);
    CHECK(action_of(d) == act::create);
    CHECK(d.status.printable_status == ps::starting);
    apply_vm_status_change(d.status, vm.status, t0);
    CHECK(vm.status.run_strategy_ == s);
    // Once it has acted, an absent VMI stays absent.
    CHECK(action_of(decide(vm, std::nullopt)) == act::none);
  }
  auto manual = make_vm(rs::manual, false);
  CHECK(action_of(decide(manual, std::nullopt)) == act::none);
}

TEST_CASE("restart is a Stop for the VMI then a Start", "[vm_decision]") {
  auto vm = make_vm(rs::manual);
  vm.status.state_change_requests = {stop_req("vmi-uid"), start_req()};
  auto running = make_vmi(vm, vs::running);
  auto d1 = decide(vm, running);
  CHECK(action_of(d1) == act::remove);
  CHECK(d1.status.consumed.empty());
  CHECK(d1.status.printable_status == ps::stopping);

  // Gone: the Stop is done, the Start creates a new one in the same sync.
  auto d2 = decide(vm, std::nullopt);
  CHECK(action_of(d2) == act::create);
  REQUIRE(d2.status.consumed.size() == 1);
  CHECK(d2.status.consumed[0].action == api::state_change_action::stop);
  apply_vm_status_change(d2.status, vm.status, t0);
  REQUIRE(vm.status.state_change_requests.size() == 1);

  auto fresh = make_vmi(vm, vs::pending, "vmi-2");
  auto d3 = decide(vm, fresh);
  CHECK(action_of(d3) == act::none);
  apply_vm_status_change(d3.status, vm.status, t0);
  CHECK(vm.status.state_change_requests.empty());
}

TEST_CASE("spec.running maps to Always and Halted; combined with runStrategy it is refused", "[vm_decision]") {
  auto vm = make_vm(std::nullopt);
  vm.spec.running = true;
  auto d = decide(vm, std::nullopt);
  CHECK(action_of(d) == act::create);
  CHECK(d.status.run_strategy == rs::always);

  vm.spec.running = false;
  auto vmi = make_vmi(vm, vs::running);
  auto halted = decide(vm, vmi);
  CHECK(action_of(halted) == act::remove);
  CHECK(halted.status.run_strategy == rs::halted);

  vm.spec.running = true;
  vm.spec.run_strategy_ = rs::always;
  auto bad = decide(vm, vmi);
  CHECK(action_of(bad) == act::none);
  REQUIRE(bad.status.failure);
  CHECK(bad.status.failure->reason == "InvalidRunStrategy");
  CHECK_FALSE(bad.status.run_strategy);

  auto unknown = make_vm(std::nullopt);
  api::enum_field<api::run_strategy> odd;
  odd.set_raw("Sometimes");
  unknown.spec.run_strategy_ = odd;
  auto d2 = decide(unknown, std::nullopt);
  CHECK(action_of(d2) == act::none);
  REQUIRE(d2.status.failure);
  CHECK(d2.status.failure->message.find("Sometimes") != std::string::npos);
}

TEST_CASE("a VM being deleted deletes its VMI and creates none", "[vm_decision]") {
  auto vm = make_vm(rs::always);
  vm.metadata.deletion_timestamp = api::timestamp{t0};
  auto running = make_vmi(vm, vs::running);
  auto d = decide(vm, running);
  CHECK(action_of(d) == act::remove);
  CHECK(d.remove->grace_period_seconds == 7);
  CHECK(d.status.printable_status == ps::terminating);
  CHECK(action_of(decide(vm, std::nullopt)) == act::none);

  // A VMI already being deleted is not deleted again.
  running->metadata.deletion_timestamp = api::timestamp{t0};
  CHECK(action_of(decide(vm, running)) == act::none);
}

TEST_CASE("a VMI being deleted is waited for, and shows Stopping while it runs", "[vm_decision]") {
  auto vm = make_vm(rs::always);
  auto vmi = make_vmi(vm, vs::running);
  vmi->metadata.deletion_timestamp = api::timestamp{t0};
  auto d = decide(vm, vmi);
  CHECK(action_of(d) == act::none);
  CHECK(d.status.printable_status == ps::stopping);
  CHECK_FALSE(d.status.ready);

  auto ended = make_vmi(vm, vs::succeeded);
  ended->metadata.deletion_timestamp = api::timestamp{t0};
  CHECK(action_of(decide(vm, ended)) == act::none);
}

TEST_CASE("a VMI of the same name that the VM does not control is left alone", "[vm_decision]") {
  auto vm = make_vm(rs::always);
  auto vmi = make_vmi(vm, vs::running);
  vmi->metadata.owner_references[0].uid = "an-older-vm";
  auto d = decide(vm, vmi);
  CHECK(action_of(d) == act::none);
  REQUIRE(d.status.failure);
  CHECK(d.status.failure->reason == "FailedCreate");
  CHECK_FALSE(d.status.created);
}

TEST_CASE("the VMI is made from the template, named and owned like the VM", "[vm_decision]") {
  auto vm = make_vm(rs::always);
  auto vmi = vmi_from_template(vm);
  CHECK(vmi.metadata.name == "vm1");
  CHECK(vmi.metadata.namespace_ == "ns");
  CHECK(vmi.metadata.labels.at("app") == "web");
  CHECK(vmi.metadata.annotations.at("note") == "x");
  CHECK(vmi.metadata.annotations.at("kubevirt.io/vm-generation") == "3");
  CHECK(vmi.spec.termination_grace_period_seconds == 7);
  REQUIRE(vmi.metadata.owner_references.size() == 1);
  const auto& o = vmi.metadata.owner_references[0];
  CHECK(o.kind == "VirtualMachine");
  CHECK(o.api_version == "kubevirt.io/v1");
  CHECK(o.name == "vm1");
  CHECK(o.uid == "vm-uid");
  CHECK(o.controller == true);
  CHECK(o.block_owner_deletion == true);
  CHECK(is_controlled_by(vmi, vm));
}

TEST_CASE("ready and printable status follow the VMI's conditions", "[vm_decision]") {
  auto vm = make_vm(rs::always);
  auto vmi = make_vmi(vm, vs::running);
  api::vmi_condition ready;
  ready.type = api::vmi_condition_type::ready;
  ready.status = api::condition_status::false_;
  ready.reason = "GuestNotRunning";
  vmi->status.conditions = {ready};
  auto d = decide(vm, vmi);
  CHECK_FALSE(d.status.ready);
  CHECK(d.status.ready_reason == "GuestNotRunning");

  vmi->status.conditions[0].status = api::condition_status::true_;
  CHECK(decide(vm, vmi).status.ready);

  api::vmi_condition paused;
  paused.type = api::vmi_condition_type::paused;
  paused.status = api::condition_status::true_;
  vmi->status.conditions.push_back(paused);
  CHECK(decide(vm, vmi).status.printable_status == ps::paused);

  auto scheduling = make_vmi(vm, vs::pending);
  scheduling->status.phase = api::vmi_phase::scheduling;
  api::vmi_condition unsched;
  unsched.type.set_raw("PodScheduled");
  unsched.status = api::condition_status::false_;
  unsched.reason = "Unschedulable";
  scheduling->status.conditions = {unsched};
  CHECK(decide(vm, scheduling).status.printable_status == ps::error_unschedulable);
}

TEST_CASE("crash-loop back-off grows from 10 s to 5 min", "[vm_decision][backoff]") {
  vm_backoff_policy p;
  CHECK(start_backoff(p, 0) == 0s);
  CHECK(start_backoff(p, 1) == 10s);
  CHECK(start_backoff(p, 2) == 20s);
  CHECK(start_backoff(p, 3) == 40s);
  CHECK(start_backoff(p, 5) == 160s);
  CHECK(start_backoff(p, 6) == 300s);
  CHECK(start_backoff(p, 60) == 300s);
}

TEST_CASE("Always backs off after failed starts and says CrashLoopBackOff", "[vm_decision][backoff]") {
  auto vm = make_vm(rs::always);
  auto now = t0;
  std::vector<std::chrono::seconds> waits;
  for (int i = 1; i <= 7; ++i) {
    auto failed = make_vmi(vm, vs::failed, "vmi-" + std::to_string(i));
    failed->status.phase_transition_timestamps.push_back({api::vmi_phase::failed, api::timestamp{now}, {}});
    auto d = decide(vm, failed, now);
    REQUIRE(action_of(d) == act::remove);
    REQUIRE(d.status.start_failure);
    CHECK(d.status.start_failure->consecutive_fail_count == i);
    CHECK(d.status.start_failure->last_failed_vmi_uid == "vmi-" + std::to_string(i));
    CHECK(d.status.printable_status == ps::crash_loop_back_off);
    apply_vm_status_change(d.status, vm.status, now);

    // The same failed VMI seen again (stale cache) is not counted twice.
    CHECK(decide(vm, failed, now).status.start_failure->consecutive_fail_count == i);

    // Gone: nothing is created before the retry time; then it is.
    auto retry = vm.status.start_failure->retry_after_timestamp->time;
    waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(retry - now));
    auto early = decide(vm, std::nullopt, retry - 1s);
    CHECK(action_of(early) == act::none);
    CHECK(early.status.printable_status == ps::crash_loop_back_off);
    CHECK(early.requeue_after == 1s);
    auto due = decide(vm, std::nullopt, retry);
    CHECK(action_of(due) == act::create);
    CHECK(due.status.printable_status == ps::starting);
    now = retry + 2s; // the next one fails two seconds after it was made
  }
  CHECK(waits == std::vector<std::chrono::seconds>{10s, 20s, 40s, 80s, 160s, 300s, 300s});
}

TEST_CASE("a VMI that runs long enough clears the start failures", "[vm_decision][backoff]") {
  auto vm = make_vm(rs::always);
  vm.status.start_failure = api::vm_start_failure{.consecutive_fail_count = 4,
                                                  .last_failed_vmi_uid = "old",
                                                  .retry_after_timestamp = api::timestamp{t0},
                                                  .unknown = {}};
  auto vmi = make_vmi(vm, vs::running);
  vmi->status.phase_transition_timestamps.push_back({api::vmi_phase::running, api::timestamp{t0}, {}});

  auto d = decide(vm, vmi, t0 + 299s);
  CHECK(d.status.start_failure);
  CHECK(d.requeue_after == 1s); // look again when it becomes stable
  auto stable = decide(vm, vmi, t0 + 300s);
  CHECK_FALSE(stable.status.start_failure);

  // A VMI that fails after a long run starts the count afresh: no back-off.
  vmi->status.phase = api::vmi_phase::failed;
  vmi->status.phase_transition_timestamps.push_back({api::vmi_phase::failed, api::timestamp{t0 + 400s}, {}});
  auto late = decide(vm, vmi, t0 + 400s);
  CHECK(action_of(late) == act::remove);
  CHECK_FALSE(late.status.start_failure);
  CHECK(late.status.printable_status == ps::stopped);
}

TEST_CASE("Manual and Once do not back off", "[vm_decision][backoff]") {
  auto vm = make_vm(rs::manual);
  vm.status.start_failure = api::vm_start_failure{.consecutive_fail_count = 3,
                                                  .last_failed_vmi_uid = "old",
                                                  .retry_after_timestamp = api::timestamp{t0 + 60s},
                                                  .unknown = {}};
  vm.status.state_change_requests = {start_req()};
  auto d = decide(vm, std::nullopt);
  CHECK(action_of(d) == act::create);
}

TEST_CASE("the status change composes with requests appended meanwhile", "[vm_decision]") {
  vm_status_change c;
  c.printable_status = ps::running;
  c.created = true;
  c.ready = true;
  c.run_strategy = rs::manual;
  c.consumed = {stop_req("a")};
  api::vm_status latest;
  latest.state_change_requests = {stop_req("a"), start_req()};
  apply_vm_status_change(c, latest, t0);
  REQUIRE(latest.state_change_requests.size() == 1);
  CHECK(latest.state_change_requests[0].action == api::state_change_action::start);
  CHECK(latest.printable_status == ps::running);
  CHECK(latest.run_strategy_ == rs::manual);
  REQUIRE(latest.conditions.size() == 1);
  CHECK(latest.conditions[0].type == api::vm_condition_type::ready);
  CHECK(latest.conditions[0].last_transition_time.time == t0);

  // Applied again (a conflict retry) on a status whose head is no longer the request.
  apply_vm_status_change(c, latest, t0 + 5s);
  CHECK(latest.state_change_requests.size() == 1);
  CHECK(latest.conditions[0].last_transition_time.time == t0); // unchanged status keeps it

  c.ready = false;
  c.ready_reason = "VMINotExists";
  c.failure = vm_sync_failure{"FailedCreate", "boom"};
  apply_vm_status_change(c, latest, t0 + 9s);
  REQUIRE(latest.conditions.size() == 2);
  CHECK(latest.conditions[0].last_transition_time.time == t0 + 9s);
  CHECK(latest.conditions[0].reason == "VMINotExists");
  CHECK(latest.conditions[1].type == api::vm_condition_type::failure);
  CHECK(latest.conditions[1].reason == "FailedCreate");

  c.failure.reset();
  apply_vm_status_change(c, latest, t0 + 10s);
  CHECK(latest.conditions.size() == 1);
}
