// Which interfaces the agent wires, and how.

#include "actors/agent/network_plan.hpp"

#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

using namespace podvisor;
using namespace podvisor::actors::agent;
using nlohmann::json;

namespace {

json vmi_with(json interfaces, json networks) {
  return {{"metadata", {{"name", "web"}, {"namespace", "default"}}},
          {"spec", {{"domain", {{"devices", {{"interfaces", interfaces}}}}}, {"networks", networks}}}};
}

} // namespace

TEST_CASE("network_plan: masquerade with ports and the VM network CIDR", "[network_plan]") {
  auto vmi = vmi_with(json::array({{{"name", "default"},
                                    {"masquerade", json::object()},
                                    {"macAddress", "52:54:00:aa:bb:cc"},
                                    {"ports", {{{"port", 80}}, {{"port", 53}, {"protocol", "UDP"}}}}}}),
                      json::array({{{"name", "default"}, {"pod", {{"vmNetworkCIDR", "10.9.0.0/24"}}}}}));
  auto plans = plan_interfaces(vmi, "/run/vmis/u1");
  REQUIRE(plans);
  REQUIRE(plans->size() == 1);
  const auto& p = (*plans)[0];
  CHECK(p.name == "default");
  CHECK(p.binding == "masquerade");
  CHECK(p.mac == "52:54:00:aa:bb:cc");
  CHECK(p.ports == std::vector<std::string>{"tcp:80", "udp:53"});
  CHECK(p.vm_network_cidr == "10.9.0.0/24");
  CHECK(p.hostname == "web");
  CHECK(p.state_path == "/run/vmis/u1/net-default.json");
}

TEST_CASE("network_plan: bridge, the default binding, and no interfaces", "[network_plan]") {
  auto bridge = vmi_with(json::array({{{"name", "default"}, {"bridge", json::object()}}}),
                         json::array({{{"name", "default"}, {"pod", json::object()}}}));
  auto plans = plan_interfaces(bridge, "/d");
  REQUIRE(plans);
  CHECK((*plans)[0].binding == "bridge");
  auto none = vmi_with(json::array({{{"name", "default"}}}), json::array({{{"name", "default"}, {"pod", json::object()}}}));
  plans = plan_interfaces(none, "/d");
  REQUIRE(plans);
  CHECK((*plans)[0].binding == "bridge");
  json bare = {{"metadata", {{"name", "x"}}}, {"spec", {{"domain", json::object()}}}};
  plans = plan_interfaces(bare, "/d");
  REQUIRE(plans);
  CHECK(plans->empty());
}

TEST_CASE("network_plan: what the agent cannot wire is refused clearly", "[network_plan]") {
  auto multus = vmi_with(json::array({{{"name", "blue"}, {"bridge", json::object()}}}),
                         json::array({{{"name", "blue"}, {"multus", {{"networkName", "blue"}}}}}));
  auto plans = plan_interfaces(multus, "/d");
  REQUIRE_FALSE(plans);
  CHECK(plans.error().code == errc::unsupported);
  CHECK(plans.error().message.find("pod network") != std::string::npos);

  auto sriov = vmi_with(json::array({{{"name", "default"}, {"sriov", json::object()}}}),
                        json::array({{{"name", "default"}, {"pod", json::object()}}}));
  plans = plan_interfaces(sriov, "/d");
  REQUIRE_FALSE(plans);
  CHECK(plans.error().message.find("sriov") != std::string::npos);

  auto orphan = vmi_with(json::array({{{"name", "default"}, {"bridge", json::object()}}}), json::array());
  plans = plan_interfaces(orphan, "/d");
  REQUIRE_FALSE(plans);
  CHECK(plans.error().code == errc::invalid_argument);
}
