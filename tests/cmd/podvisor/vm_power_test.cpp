#include "cmd/podvisor/vm_power.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace podvisor;
using namespace podvisor::cli;
using nlohmann::json;

namespace {

json vm_with(json spec, json status = nullptr) {
  json vm = {{"apiVersion", "kubevirt.io/v1"},
             {"kind", "VirtualMachine"},
             {"metadata", {{"name", "vm1"}, {"namespace", "ns"}, {"uid", "vm-uid"}}},
             {"spec", std::move(spec)}};
  if (!status.is_null())
    vm["status"] = std::move(status);
  return vm;
}

json strategy(std::string s) {
  return {{"runStrategy", std::move(s)}, {"template", json::object()}};
}

json vmi_in(std::string phase) {
  return {{"metadata", {{"name", "vm1"}, {"uid", "vmi-uid"}}}, {"status", {{"phase", std::move(phase)}}}};
}

const json some_status = {{"printableStatus", "Running"}};

} // namespace

TEST_CASE("start on Halted sets runStrategy Always", "[vm_power]") {
  auto p = plan_power(power_action::start, vm_with(strategy("Halted"), some_status), nullptr);
  REQUIRE(p);
  CHECK_FALSE(p->status_subresource);
  CHECK(p->body == json{{"spec", {{"runStrategy", "Always"}}}});
}

TEST_CASE("start and stop on a spec.running VM move it to runStrategy", "[vm_power]") {
  auto stopped = vm_with({{"running", false}, {"template", json::object()}});
  auto p = plan_power(power_action::start, stopped, nullptr);
  REQUIRE(p);
  CHECK(p->body == json{{"spec", {{"runStrategy", "Always"}, {"running", nullptr}}}});

  auto running = vm_with({{"running", true}, {"template", json::object()}});
  auto vmi = vmi_in("Running");
  auto s = plan_power(power_action::stop, running, &vmi);
  REQUIRE(s);
  CHECK(s->body == json{{"spec", {{"runStrategy", "Halted"}, {"running", nullptr}}}});
}

TEST_CASE("stop on Always, Once and WaitAsReceiver sets runStrategy Halted", "[vm_power]") {
  auto vmi = vmi_in("Running");
  for (std::string s : {"Always", "Once", "WaitAsReceiver"}) {
    auto p = plan_power(power_action::stop, vm_with(strategy(s), some_status), &vmi);
    REQUIRE(p);
    CHECK_FALSE(p->status_subresource);
    CHECK(p->body == json{{"spec", {{"runStrategy", "Halted"}}}});
  }
}

TEST_CASE("start on Manual and RerunOnFailure adds a Start request", "[vm_power]") {
  for (std::string s : {"Manual", "RerunOnFailure"}) {
    auto p = plan_power(power_action::start, vm_with(strategy(s), some_status), nullptr);
    REQUIRE(p);
    CHECK(p->status_subresource);
    CHECK(p->body == json::parse(R"([{"op":"add","path":"/status/stateChangeRequests",
                                      "value":[{"action":"Start"}]}])"));
  }
}

TEST_CASE("a VM without status gets its status with the request", "[vm_power]") {
  auto p = plan_power(power_action::start, vm_with(strategy("Manual")), nullptr);
  REQUIRE(p);
  CHECK(p->body == json::parse(R"([{"op":"add","path":"/status",
                                    "value":{"stateChangeRequests":[{"action":"Start"}]}}])"));
}

TEST_CASE("start on an ended VMI stops it first", "[vm_power]") {
  auto vmi = vmi_in("Succeeded");
  auto p = plan_power(power_action::start, vm_with(strategy("Manual"), some_status), &vmi);
  REQUIRE(p);
  CHECK(p->body[0]["value"] == json::parse(R"([{"action":"Stop","uid":"vmi-uid"},{"action":"Start"}])"));
}

TEST_CASE("start refusals", "[vm_power]") {
  auto running = vmi_in("Running");
  auto already = plan_power(power_action::start, vm_with(strategy("Manual"), some_status), &running);
  REQUIRE_FALSE(already);
  CHECK(already.error() == errc::conflict);
  CHECK(already.error().message == "VM is already running");
  for (std::string s : {"Always", "Once", "WaitAsReceiver"}) {
    auto p = plan_power(power_action::start, vm_with(strategy(s), some_status), nullptr);
    REQUIRE_FALSE(p);
    CHECK(p.error() == errc::invalid_argument);
    CHECK(p.error().message == "runStrategy " + s + " does not support manual start requests");
  }
  auto pending = json{{"stateChangeRequests", json::array({{{"action", "Start"}}})}};
  auto underway = plan_power(power_action::start, vm_with(strategy("Manual"), pending), nullptr);
  REQUIRE_FALSE(underway);
  CHECK(underway.error().message == "unable to complete request: stop/start already underway");
}

TEST_CASE("stop on Manual, RerunOnFailure and Halted asks the controller to stop the VMI", "[vm_power]") {
  auto vmi = vmi_in("Running");
  for (std::string s : {"Manual", "RerunOnFailure", "Halted"}) {
    auto p = plan_power(power_action::stop, vm_with(strategy(s), some_status), &vmi);
    REQUIRE(p);
    CHECK(p->status_subresource);
    CHECK(p->body[0]["value"] == json::parse(R"([{"action":"Stop","uid":"vmi-uid"}])"));
    auto none = plan_power(power_action::stop, vm_with(strategy(s), some_status), nullptr);
    REQUIRE_FALSE(none);
    CHECK(none.error().message == "VM is not running");
  }
  // A Stop replaces pending requests (KubeVirt lets a stop win).
  auto pending = json{{"stateChangeRequests", json::array({{{"action", "Start"}}})}};
  auto p = plan_power(power_action::stop, vm_with(strategy("Manual"), pending), &vmi);
  REQUIRE(p);
  CHECK(p->body[0]["op"] == "add");
  CHECK(p->body[0]["path"] == "/status/stateChangeRequests");
}

TEST_CASE("restart is a Stop for the current VMI then a Start", "[vm_power]") {
  auto vmi = vmi_in("Running");
  for (std::string s : {"Always", "Manual", "RerunOnFailure"}) {
    auto p = plan_power(power_action::restart, vm_with(strategy(s), some_status), &vmi);
    REQUIRE(p);
    CHECK(p->status_subresource);
    CHECK(p->body[0]["value"] == json::parse(R"([{"action":"Stop","uid":"vmi-uid"},{"action":"Start"}])"));
    auto none = plan_power(power_action::restart, vm_with(strategy(s), some_status), nullptr);
    REQUIRE_FALSE(none);
    CHECK(none.error().message == "VM is not running");
  }
  for (std::string s : {"Halted", "Once", "WaitAsReceiver"}) {
    auto p = plan_power(power_action::restart, vm_with(strategy(s), some_status), &vmi);
    REQUIRE_FALSE(p);
    CHECK(p.error().message == "runStrategy " + s + " does not support manual restart requests");
  }
}

TEST_CASE("bad VMs are refused with a reason", "[vm_power]") {
  auto both = vm_with({{"running", true}, {"runStrategy", "Always"}});
  auto p = plan_power(power_action::stop, both, nullptr);
  REQUIRE_FALSE(p);
  CHECK(p.error().message == "spec.running and spec.runStrategy are mutually exclusive");
  auto odd = plan_power(power_action::stop, vm_with(strategy("Sometimes")), nullptr);
  REQUIRE_FALSE(odd);
  CHECK(odd.error().message == "unknown spec.runStrategy \"Sometimes\"");
  CHECK_FALSE(plan_power(power_action::start, json::array(), nullptr));
}

TEST_CASE("the command line: vm NAME, namespace and kubeconfig", "[vm_power]") {
  auto o = parse_power_args({"vm", "web", "-n", "prod", "--kubeconfig=/tmp/k"});
  REQUIRE(o);
  CHECK(o->name == "web");
  CHECK(o->namespace_ == "prod");
  CHECK(o->kubeconfig == "/tmp/k");
  auto o2 = parse_power_args({"--namespace", "x", "vm", "a"});
  REQUIRE(o2);
  CHECK(o2->namespace_ == "x");
  CHECK(parse_power_args({"--help"})->help);

  CHECK_FALSE(parse_power_args({}));
  CHECK_FALSE(parse_power_args({"pod", "a"}));
  CHECK_FALSE(parse_power_args({"vm"}));
  CHECK_FALSE(parse_power_args({"vm", "a", "b"}));
  CHECK_FALSE(parse_power_args({"vm", "a", "-n"}));
  CHECK_FALSE(parse_power_args({"vm", "a", "--kubeconfig="}));
  auto bad = parse_power_args({"vm", "a", "--force"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "unknown flag \"--force\"");
  CHECK(parse_power_action("restart") == power_action::restart);
  CHECK_FALSE(parse_power_action("pause"));
}
